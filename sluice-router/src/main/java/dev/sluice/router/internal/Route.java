package dev.sluice.router.internal;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a selection, reused by one client connection so that selecting allocates nothing:
 * the version (set even when no replica was found, for its metrics) and the replica.
 */
final class Route {
  @Nullable VersionEntry version;
  @Nullable EndpointState endpoint;
}
