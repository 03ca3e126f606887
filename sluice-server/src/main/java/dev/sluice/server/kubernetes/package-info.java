/**
 * The daemon's side of Sluice on Kubernetes: the client and leader election it is started with, and
 * the Release custom resources turned into deploys on the controller.
 */
@NullMarked
package dev.sluice.server.kubernetes;

import org.jspecify.annotations.NullMarked;
