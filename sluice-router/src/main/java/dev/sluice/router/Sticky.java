package dev.sluice.router;

import java.util.Objects;

/**
 * Sticky assignment of clients to versions, per {@link RoutingTable}.
 *
 * <p><b>{@link Source#HEADER} and {@link Source#COOKIE}</b> (a user key the application sends):
 * consistent hashing. The key's bytes are hashed (MurmurHash3, x86 32-bit, seed 0) to a point in
 * [0, 10000). The versions with weight above 0 divide that range by weight, <em>from the last
 * version of the table backwards</em>: the last version (the newest, by convention the canary or
 * the newest arm) takes [0, w), the one before it the next range, and so on. Growing the newest
 * version's weight therefore only moves users onto it: at 25 % its users are a superset of its
 * users at 5 %, and no user moves from it back to an older version. Requests without the key are
 * drawn at random by weight. Keep the order of versions stable from one table to the next.
 *
 * <p><b>{@link Source#SESSION_COOKIE}</b> (no user key): the router pins a client to a version with
 * a cookie of this name that it sets itself ({@code Set-Cookie: NAME=VERSION; Path=/; HttpOnly;
 * SameSite=Lax}, a browser-session cookie). A request whose cookie names a version that is still in
 * the table (whatever its weight, 0 included) and has a healthy replica goes to that version, so a
 * client stays on its version through a switch. A request without the cookie, or whose version left
 * the table or has no healthy replica, is drawn by weight and gets a new cookie. To move pinned
 * clients off a version (a rollback), remove the version from the table. With a session cookie the
 * weights apply to new sessions, not to requests.
 *
 * <p>Rules ({@link RouteRule}) come before sticky assignment.
 *
 * @param source where the key comes from
 * @param name the header or cookie name
 */
public record Sticky(Source source, String name) {

  /** Where a sticky key comes from. */
  public enum Source {
    /** A request header, e.g. {@code x-user-id}: consistent hashing. */
    HEADER,
    /** A cookie the application sets, e.g. a user id: consistent hashing. */
    COOKIE,
    /** A cookie the router sets to the chosen version: session pinning. */
    SESSION_COOKIE
  }

  /** Validates. */
  public Sticky {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("sticky.name: '' (expected: a header or cookie name)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "sticky.name: '" + name + "' (expected: a token, e.g. x-user-id)");
      }
    }
  }

  /** Hashes the value of this request header. */
  public static Sticky header(String name) {
    return new Sticky(Source.HEADER, name);
  }

  /** Hashes the value of this cookie. */
  public static Sticky cookie(String name) {
    return new Sticky(Source.COOKIE, name);
  }

  /** Pins clients with a cookie of this name that the router sets. */
  public static Sticky sessionCookie(String name) {
    return new Sticky(Source.SESSION_COOKIE, name);
  }
}
