package dev.sluice.router;

import java.util.List;
import java.util.Objects;

/**
 * A rule of a {@link RoutingTable} that sends matching requests to a named version, ahead of the
 * weights (header routing, a forced canary, a trusted preview).
 *
 * <p>Rules are tried in table order. The first rule whose {@link Match} holds, and whose {@code
 * trusted} list (when not empty) contains the client's address, decides: the request goes to that
 * version when it has a healthy replica; otherwise it falls through to sticky assignment and the
 * weights (later rules are not tried). A rule naming a version that is not in the table never
 * matches. The client address is the TCP peer's: {@code X-Forwarded-For} is not trusted.
 *
 * <pre>{@code
 * new RouteRule(Match.header("x-canary", StringMatch.exact("true")), "v2",
 *     List.of(Cidr.parse("10.0.0.0/8")));
 * RouteRule.to("v2", Match.cookie("beta", StringMatch.exact("1")));
 * }</pre>
 *
 * @param match the conditions
 * @param version the version that gets matching requests
 * @param trusted client address blocks the rule is limited to; empty for any client
 */
public record RouteRule(Match match, String version, List<Cidr> trusted) {

  /** Validates and copies. */
  public RouteRule {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(version, "version");
    if (version.isBlank()) {
      throw new IllegalArgumentException("rule.version: '' (expected: a version name)");
    }
    trusted = List.copyOf(trusted);
  }

  /** A rule for any client. */
  public static RouteRule to(String version, Match match) {
    return new RouteRule(match, version, List.of());
  }

  /** Returns a copy limited to clients in these blocks. */
  public RouteRule trustedOnly(List<Cidr> sources) {
    return new RouteRule(match, version, sources);
  }
}
