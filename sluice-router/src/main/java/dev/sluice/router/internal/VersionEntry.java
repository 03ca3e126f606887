package dev.sluice.router.internal;

import java.nio.charset.StandardCharsets;

/** One version of a compiled table: its weight, replica states and metrics. */
final class VersionEntry {
  final String name;
  final int weight;
  final EndpointState[] replicas;
  final VersionMetrics metrics;

  /** The version's name as a cookie value (session cookies), percent-encoded where needed. */
  byte[] cookieValue = new byte[0];

  /** The {@code Set-Cookie} line that pins a client to this version, CRLF included. */
  byte[] setCookieLine = new byte[0];

  /**
   * Rotation counter for round robin and tie-breaking. Shared by event loops without
   * synchronisation on purpose: a lost update only skews one choice.
   */
  int next;

  VersionEntry(String name, int weight, EndpointState[] replicas, VersionMetrics metrics) {
    this.name = name;
    this.weight = weight;
    this.replicas = replicas;
    this.metrics = metrics;
  }

  /** Prepares the session cookie of this version, for a table with a session-cookie sticky. */
  void sessionCookie(String cookieName) {
    String value = cookieValue(name);
    cookieValue = value.getBytes(StandardCharsets.US_ASCII);
    setCookieLine =
        ("Set-Cookie: " + cookieName + "=" + value + "; Path=/; HttpOnly; SameSite=Lax\r\n")
            .getBytes(StandardCharsets.US_ASCII);
  }

  /** Percent-encodes what RFC 6265's cookie-octet does not allow (and '%' itself). */
  static String cookieValue(String version) {
    StringBuilder out = new StringBuilder();
    for (byte b : version.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean ok =
          c == 0x21
              || c >= 0x23 && c <= 0x2b && c != 0x25
              || c >= 0x2d && c <= 0x3a
              || c >= 0x3c && c <= 0x5b
              || c >= 0x5d && c <= 0x7e;
      if (ok) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
