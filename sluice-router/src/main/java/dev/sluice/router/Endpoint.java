package dev.sluice.router;

import java.util.Objects;

/**
 * An upstream replica the router can send requests to, identified by a stable id.
 *
 * <p>Two endpoints are the same replica when all three fields are equal; the router keys its
 * connection pools, health state and in-flight counts by this value. {@code host} should be a
 * literal address (the router resolves it once, when the endpoint is first seen).
 *
 * @param id stable name shown in metrics and health events, e.g. {@code shop/v1/0}
 * @param host literal IP address or host name of the replica
 * @param port TCP port, 1..65535
 */
public record Endpoint(String id, String host, int port) {

  /** Validates the fields. */
  public Endpoint {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (id.isBlank()) {
      throw new IllegalArgumentException("endpoint.id: '" + id + "' (expected: a non-blank name)");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException(
          "endpoint " + id + ".host: '" + host + "' (expected: an address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "endpoint " + id + ".port: " + port + " (expected: 1..65535)");
    }
  }

  @Override
  public String toString() {
    return id + "@" + host + ":" + port;
  }
}
