package dev.sluice.core.spec;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How the router picks a version for a request before the weights: rules that send matching
 * requests to a named version, and sticky assignment that keeps a user on one version.
 *
 * <p>A rule's {@code version} is a version name, or {@code canary} (the version being released) or
 * {@code stable}; a rule whose version is not running is skipped.
 *
 * @param routes rules in order; the first that matches wins
 * @param sticky how users are kept on one version; null for none
 */
public record RoutingSpec(List<Route> routes, @Nullable Sticky sticky) {

  public RoutingSpec {
    routes = List.copyOf(routes);
  }

  public static RoutingSpec none() {
    return new RoutingSpec(List.of(), null);
  }

  /**
   * Sends requests that match to {@code version}, from trusted sources only when {@code trusted}
   * lists any (client addresses in CIDR notation), so outside users cannot opt themselves in.
   */
  public record Route(Match match, String version, List<String> trusted) {
    public Route {
      trusted = List.copyOf(trusted);
    }
  }

  /**
   * What a request must have for a rule to apply: every condition given must hold.
   *
   * @param headers by name (case-insensitive)
   * @param cookies by name
   * @param query query parameters by name
   * @param pathPrefix the path starts with it
   * @param host the Host header, without port, equals it (case-insensitive)
   */
  public record Match(
      Map<String, StringMatch> headers,
      Map<String, StringMatch> cookies,
      Map<String, StringMatch> query,
      @Nullable String pathPrefix,
      @Nullable String host) {
    public Match {
      headers = Map.copyOf(headers);
      cookies = Map.copyOf(cookies);
      query = Map.copyOf(query);
    }
  }

  /** A value test: exactly this, starting with this, or matching a regular expression. */
  public record StringMatch(Kind kind, String value) {
    public enum Kind {
      EXACT,
      PREFIX,
      REGEX
    }
  }

  /**
   * Keeps a user on one version: by a header or cookie that names the user (consistent hashing,
   * monotonic as the new version's weight grows), or by a cookie Sluice sets for clients that have
   * no user key ({@code session}).
   */
  public record Sticky(Kind kind, String name) {
    public enum Kind {
      HEADER,
      COOKIE,
      SESSION
    }
  }
}
