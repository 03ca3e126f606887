package dev.sluice.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One app on a shared {@link Listener}: the hosts and path prefix that select it, and its routing
 * table.
 *
 * <p>For each request the listener takes the mount with the longest path prefix (matched at a
 * segment boundary, as in {@link Match}) among those whose hosts include the request's host (an
 * empty list is any host; {@code *.example.com} matches its subdomains); between equal prefixes the
 * first in the list wins. A request no mount takes gets 404. The path is passed on unchanged.
 * Metrics are keyed by the mount's {@code app}.
 *
 * <pre>{@code
 * listener.update(List.of(
 *     new Mount("shop", List.of("shop.example"), "/", shopTable),
 *     new Mount("api", List.of(), "/api", apiTable)));
 * }</pre>
 *
 * @param app the app name: the {@code app} label of its metrics
 * @param hosts host names (without port, any case) this mount serves; empty for any host
 * @param pathPrefix the path prefix, starting with '/'
 * @param table the app's routing table
 */
public record Mount(String app, List<String> hosts, String pathPrefix, RoutingTable table) {

  /** Validates and copies; hosts are kept lower-case. */
  public Mount {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(table, "table");
    if (app.isBlank()) {
      throw new IllegalArgumentException("mount.app: '' (expected: an app name)");
    }
    if (!pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "mount " + app + ".pathPrefix: '" + pathPrefix + "' (expected: starts with /)");
    }
    List<String> lower = new ArrayList<>();
    for (String h : hosts) {
      if (h.isBlank() || h.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "mount " + app + ".hosts: '" + h + "' (expected: a host name without port)");
      }
      lower.add(h.toLowerCase(Locale.ROOT));
    }
    hosts = List.copyOf(lower);
  }

  /** An app that takes every request of the listener. */
  public static Mount of(String app, RoutingTable table) {
    return new Mount(app, List.of(), "/", table);
  }
}
