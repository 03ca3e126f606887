package dev.sluice.runtime;

import java.util.Objects;

/**
 * A network address one replica of a version listens on, for plain HTTP.
 *
 * @param id stable name of the replica, {@code app/version/index} (the router keys health and
 *     metrics by it)
 * @param host an IP literal or host name, without brackets for IPv6
 * @param port 1..65535
 */
public record Endpoint(String id, String host, int port) {

  /** Checks the fields; throws {@link IllegalArgumentException} naming the bad one. */
  public Endpoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (id.isBlank()) {
      throw new IllegalArgumentException("endpoint id: blank (expected: app/version/index)");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("endpoint " + id + " host: blank (expected: a host)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "endpoint " + id + " port: " + port + " (expected: 1..65535)");
    }
  }

  /** Returns the id a replica of a version gets: {@code app/version/index}. */
  public static String idOf(String app, String version, int index) {
    return app + "/" + version + "/" + index;
  }
}
