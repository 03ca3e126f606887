/**
 * Where releases happen, seen by the controller: a {@link dev.sluice.runtime.platform.Platform}
 * runs the versions and moves their traffic (Sluice's own router and processes on one host,
 * Deployments and a mesh on Kubernetes).
 */
@NullMarked
package dev.sluice.runtime.platform;

import org.jspecify.annotations.NullMarked;
