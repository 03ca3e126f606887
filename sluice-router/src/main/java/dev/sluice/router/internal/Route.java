package dev.sluice.router.internal;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a selection, reused by one client connection so that selecting allocates nothing:
 * the version (set even when no replica was found, for its metrics), the replica, and the {@code
 * Set-Cookie} line the response must carry when a session cookie was (re)assigned.
 */
final class Route {
  @Nullable VersionEntry version;
  @Nullable EndpointState endpoint;
  byte @Nullable [] setCookie;
}
