package dev.sluice.router;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable routing table of one listener: versions, their weights and their replicas.
 *
 * <p>A request picks a version with probability {@code weight / sum of weights}, then a healthy
 * replica of it. A version with weight 0 gets no traffic of its own but may take requests when the
 * chosen version has no healthy replica. Build one with {@link #builder()}; a listener swaps tables
 * with {@link Listener#update(RoutingTable)}.
 *
 * <pre>{@code
 * RoutingTable table = RoutingTable.builder()
 *     .version("v1", 90, List.of(new Endpoint("shop/v1/0", "127.0.0.1", 41001)))
 *     .version("v2", 10, List.of(new Endpoint("shop/v2/0", "127.0.0.1", 41002)))
 *     .build();
 * }</pre>
 *
 * @param versions the versions in the order they were added
 */
public record RoutingTable(List<Version> versions) {

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

  /** Validates (unique version names, unique endpoint ids) and copies. */
  public RoutingTable {
    versions = List.copyOf(versions);
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

  /** Returns a builder for a table. */
  public static Builder builder() {
    return new Builder();
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
  public @org.jspecify.annotations.Nullable Version version(String name) {
    for (Version v : versions) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return null;
  }

  /** Collects versions for a {@link RoutingTable}. */
  public static final class Builder {
    private final List<Version> versions = new ArrayList<>();

    private Builder() {}

    /** Adds a version; see {@link Version}. */
    public Builder version(String name, int weight, List<Endpoint> endpoints) {
      versions.add(new Version(name, weight, endpoints));
      return this;
    }

    /** Returns the table; throws {@link IllegalArgumentException} naming the bad field. */
    public RoutingTable build() {
      return new RoutingTable(versions);
    }
  }
}
