package dev.sluice.router;

import dev.sluice.router.shadow.Shadow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The immutable routing table of one app: versions with their weights and replicas, and optionally
 * rules, sticky assignment, shadow traffic and the drain time of upgraded connections.
 *
 * <p>A request picks its version in this order:
 *
 * <ol>
 *   <li>{@link RouteRule rules}, in order: the first that matches decides (see {@link RouteRule});
 *   <li>{@link Sticky sticky} assignment, when the table has one and the request carries its key;
 *   <li>the weights: a version with probability {@code weight / sum of weights}.
 * </ol>
 *
 * <p>Then a healthy replica of the version is taken. A version with weight 0 gets no traffic of its
 * own (unless a rule or a session cookie names it) but may take requests when the chosen version
 * has no healthy replica. With no rules, sticky or shadow, the table behaves as a plain weighted
 * table and costs nothing more per request. Build one with {@link #builder()}; a listener swaps
 * tables with {@link Listener#update(RoutingTable)} or {@link Listener#update(List)}.
 *
 * <pre>{@code
 * RoutingTable table = RoutingTable.builder()
 *     .version("v1", 90, List.of(new Endpoint("shop/v1/0", "127.0.0.1", 41001)))
 *     .version("v2", 10, List.of(new Endpoint("shop/v2/0", "127.0.0.1", 41002)))
 *     .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
 *     .sticky(Sticky.header("x-user-id"))
 *     .build();
 * }</pre>
 *
 * @param versions the versions in the order they were added (for sticky hashing, the last is the
 *     newest)
 * @param rules routing rules, tried in order
 * @param sticky sticky assignment, or null for none
 * @param shadow shadow traffic, or null for none
 * @param drainTimeout how long upgraded connections (WebSocket) of a version that left the table
 *     may stay open before the router ends them (with a close frame for WebSockets)
 */
public record RoutingTable(
    List<Version> versions,
    List<RouteRule> rules,
    @Nullable Sticky sticky,
    @Nullable Shadow shadow,
    Duration drainTimeout) {

  /** The default {@link #drainTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /** A table with no versions: every request is answered 503. */
  public static final RoutingTable EMPTY = new RoutingTable(List.of());

  /**
   * One version of the app in a routing table.
   *
   * @param name version name, used as the metrics {@code version} label
   * @param weight relative share of traffic, 0 or more
   * @param endpoints the version's replicas
   */
  public record Version(String name, int weight, List<Endpoint> endpoints) {

    /** Validates and copies. */
    public Version {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("version.name: '' (expected: a non-blank name)");
      }
      if (weight < 0) {
        throw new IllegalArgumentException(
            "version " + name + ".weight: " + weight + " (expected: 0 or more)");
      }
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * Validates (unique version names, unique endpoint ids, a positive drain timeout) and copies.
   * Rules and a shadow may name versions that are not in the table: such a rule never matches and
   * such a shadow copies nothing.
   */
  public RoutingTable {
    versions = List.copyOf(versions);
    rules = List.copyOf(rules);
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw new IllegalArgumentException(
          "drainTimeout: " + drainTimeout + " (expected: a positive duration)");
    }
    Set<String> names = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Version v : versions) {
      if (!names.add(v.name())) {
        throw new IllegalArgumentException(
            "versions: '" + v.name() + "' appears twice (expected: unique version names)");
      }
      for (Endpoint e : v.endpoints()) {
        if (!ids.add(e.id())) {
          throw new IllegalArgumentException(
              "version " + v.name() + ".endpoints: id '" + e.id() + "' appears twice");
        }
      }
    }
  }

  /** A weighted table without rules, sticky assignment or shadow. */
  public RoutingTable(List<Version> versions) {
    this(versions, List.of(), null, null, DEFAULT_DRAIN_TIMEOUT);
  }

  /** Returns a builder for a table. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder that starts with everything of this table. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.versions.addAll(versions);
    b.rules.addAll(rules);
    b.sticky = sticky;
    b.shadow = shadow;
    b.drainTimeout = drainTimeout;
    return b;
  }

  /** Returns every endpoint of every version. */
  public Set<Endpoint> endpoints() {
    Set<Endpoint> all = new LinkedHashSet<>();
    for (Version v : versions) {
      all.addAll(v.endpoints());
    }
    return all;
  }

  /** Returns the version with this name, or null. */
  public @Nullable Version version(String name) {
    for (Version v : versions) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return null;
  }

  /** Collects versions and options for a {@link RoutingTable}. */
  public static final class Builder {
    private final List<Version> versions = new ArrayList<>();
    private final List<RouteRule> rules = new ArrayList<>();
    private @Nullable Sticky sticky;
    private @Nullable Shadow shadow;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

    private Builder() {}

    /** Adds a version; see {@link Version}. Add the newest version last (sticky hashing). */
    public Builder version(String name, int weight, List<Endpoint> endpoints) {
      versions.add(new Version(name, weight, endpoints));
      return this;
    }

    /** Adds a rule after the rules added before. */
    public Builder rule(RouteRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /** Adds rules after the rules added before. */
    public Builder rules(List<RouteRule> more) {
      more.forEach(this::rule);
      return this;
    }

    /** Sets sticky assignment (null: none). */
    public Builder sticky(@Nullable Sticky s) {
      this.sticky = s;
      return this;
    }

    /** Sets shadow traffic (null: none). */
    public Builder shadow(@Nullable Shadow s) {
      this.shadow = s;
      return this;
    }

    /** Sets the drain timeout of upgraded connections; see {@link RoutingTable#drainTimeout()}. */
    public Builder drainTimeout(Duration d) {
      this.drainTimeout = Objects.requireNonNull(d, "drainTimeout");
      return this;
    }

    /** Returns the table; throws {@link IllegalArgumentException} naming the bad field. */
    public RoutingTable build() {
      return new RoutingTable(versions, rules, sticky, shadow, drainTimeout);
    }
  }
}
