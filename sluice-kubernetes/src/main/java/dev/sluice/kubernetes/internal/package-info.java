/**
 * How the Kubernetes platform does its work: Deployments, informer caches, health, and the four
 * traffic routers. Internal: may change at any time.
 */
@NullMarked
package dev.sluice.kubernetes.internal;

import org.jspecify.annotations.NullMarked;
