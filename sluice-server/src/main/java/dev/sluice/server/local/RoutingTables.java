package dev.sluice.server.local;

import dev.sluice.core.release.Desired;
import dev.sluice.core.spec.RoutingSpec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.router.Cidr;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Match;
import dev.sluice.router.RouteRule;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.Sticky;
import dev.sluice.router.StringMatch;
import dev.sluice.router.shadow.BodyCompare;
import dev.sluice.router.shadow.Compare;
import dev.sluice.router.shadow.Shadow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns what an app's state asks for ({@link Desired}) into the router's table: the weights, the
 * routing rules with {@code canary} and {@code stable} resolved to versions, sticky assignment, and
 * the shadow copy of a shadow release.
 *
 * <p>Versions are listed stable first and the version being released last, because sticky hashing
 * gives the last version the range that grows with its weight: a user on the canary at 5 % is still
 * on it at 25 %. A version no rule, weight or shadow points at is left out.
 */
public final class RoutingTables {
  private RoutingTables() {}

  /** The table for {@code desired}, given each running version's endpoints. */
  public static RoutingTable of(Desired desired, Map<String, List<Endpoint>> endpoints) {
    RoutingTable.Builder b = RoutingTable.builder();
    List<RouteRule> rules = new ArrayList<>();
    Set<String> needed = new TreeSet<>();
    desired
        .weights()
        .forEach(
            (v, w) -> {
              if (w > 0) {
                needed.add(v);
              }
            });
    for (RoutingSpec.Route route : desired.routing().routes()) {
      String target = target(route.version(), desired);
      if (target == null || !endpoints.containsKey(target)) {
        continue; // its version is not running: the rule waits
      }
      needed.add(target);
      RouteRule rule = RouteRule.to(target, match(route.match()));
      if (!route.trusted().isEmpty()) {
        rule = rule.trustedOnly(route.trusted().stream().map(Cidr::parse).toList());
      }
      rules.add(rule);
    }
    StrategySpec.Shadow shadow = desired.shadow();
    if (shadow != null && desired.canary() != null && endpoints.containsKey(desired.canary())) {
      needed.add(desired.canary());
      b.shadow(shadow(desired.canary(), shadow));
    }
    for (String version : order(needed, desired)) {
      List<Endpoint> eps = endpoints.get(version);
      if (eps != null) {
        b.version(version, desired.weights().getOrDefault(version, 0), eps);
      }
    }
    RoutingSpec.Sticky sticky = desired.routing().sticky();
    if (sticky != null) {
      b.sticky(
          switch (sticky.kind()) {
            case HEADER -> Sticky.header(sticky.name());
            case COOKIE -> Sticky.cookie(sticky.name());
            case SESSION -> Sticky.sessionCookie(sticky.name());
          });
    }
    return b.rules(rules).build();
  }

  /** Stable first, the released version last, the others by name between. */
  private static List<String> order(Set<String> versions, Desired desired) {
    Set<String> out = new LinkedHashSet<>();
    if (desired.stable() != null && versions.contains(desired.stable())) {
      out.add(desired.stable());
    }
    for (String v : versions) {
      if (!v.equals(desired.canary())) {
        out.add(v);
      }
    }
    if (desired.canary() != null && versions.contains(desired.canary())) {
      out.add(desired.canary());
    }
    return List.copyOf(out);
  }

  private static @Nullable String target(String version, Desired desired) {
    return switch (version) {
      case "canary" -> desired.canary();
      case "stable" -> desired.stable();
      default -> version;
    };
  }

  private static Match match(RoutingSpec.Match m) {
    Match out = Match.any();
    if (m.host() != null) {
      out = out.withHost(m.host());
    }
    if (m.pathPrefix() != null) {
      out = out.withPathPrefix(m.pathPrefix());
    }
    for (Map.Entry<String, RoutingSpec.StringMatch> e : m.headers().entrySet()) {
      out = out.withHeader(e.getKey(), value(e.getValue()));
    }
    for (Map.Entry<String, RoutingSpec.StringMatch> e : m.cookies().entrySet()) {
      out = out.withCookie(e.getKey(), value(e.getValue()));
    }
    for (Map.Entry<String, RoutingSpec.StringMatch> e : m.query().entrySet()) {
      out = out.withQueryParam(e.getKey(), value(e.getValue()));
    }
    return out;
  }

  private static StringMatch value(RoutingSpec.StringMatch v) {
    return switch (v.kind()) {
      case EXACT -> StringMatch.exact(v.value());
      case PREFIX -> StringMatch.prefix(v.value());
      case REGEX -> StringMatch.regex(v.value());
    };
  }

  private static Shadow shadow(String version, StrategySpec.Shadow sh) {
    StrategySpec.Shadow.Compare c = sh.compare();
    Compare compare =
        c == null
            ? null
            : new Compare(
                c.status(),
                c.headers(),
                BodyCompare.valueOf(c.body().toUpperCase(Locale.ROOT)),
                c.ignore());
    return new Shadow(
        version, sh.percent(), sh.timeout(), sh.maxBodyBytes(), sh.mirrorUnsafe(), compare);
  }
}
