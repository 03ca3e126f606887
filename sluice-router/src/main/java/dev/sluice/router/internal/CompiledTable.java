package dev.sluice.router.internal;

import dev.sluice.router.Balancing;
import dev.sluice.router.RoutingTable;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A routing table resolved for the hot path: versions with their replica states and metrics in
 * arrays, and the cumulative weights for a weighted random choice.
 *
 * <p>Selection: draw a version with probability weight/total; take its healthy replica with the
 * fewest requests in flight (ties and round robin rotate from a shared counter). When the drawn
 * version has no healthy replica, the other versions with weight above 0 are tried in table order.
 * Replicas already tried by this request are skipped.
 */
final class CompiledTable {

  final RoutingTable source;
  final VersionEntry[] versions;
  private final int[] cumulative;
  private final int totalWeight;

  CompiledTable(RoutingTable source, VersionEntry[] versions) {
    this.source = source;
    this.versions = versions;
    this.cumulative = new int[versions.length];
    int sum = 0;
    for (int i = 0; i < versions.length; i++) {
      sum += versions[i].weight;
      cumulative[i] = sum;
    }
    this.totalWeight = sum;
  }

  /**
   * Fills {@code route}; returns whether a replica was found. {@code preferred} (a retry's version)
   * replaces the weighted draw; {@code skip1} and {@code skip2} are replicas to avoid.
   */
  boolean select(
      Route route,
      @Nullable VersionEntry preferred,
      Balancing balancing,
      @Nullable EndpointState skip1,
      @Nullable EndpointState skip2) {
    VersionEntry first = preferred != null ? preferred : draw();
    route.version = first;
    route.endpoint = null;
    if (first == null) {
      return false;
    }
    EndpointState e = replica(first, balancing, skip1, skip2);
    if (e != null) {
      route.endpoint = e;
      return true;
    }
    for (VersionEntry v : versions) {
      if (v != first && v.weight > 0) {
        e = replica(v, balancing, skip1, skip2);
        if (e != null) {
          route.version = v;
          route.endpoint = e;
          return true;
        }
      }
    }
    return false;
  }

  private @Nullable VersionEntry draw() {
    if (totalWeight == 0) {
      return null;
    }
    if (versions.length == 1) {
      return versions[0];
    }
    int r = ThreadLocalRandom.current().nextInt(totalWeight);
    for (int i = 0; i < cumulative.length; i++) {
      if (r < cumulative[i]) {
        return versions[i];
      }
    }
    return versions[versions.length - 1];
  }

  private static @Nullable EndpointState replica(
      VersionEntry v,
      Balancing balancing,
      @Nullable EndpointState skip1,
      @Nullable EndpointState skip2) {
    EndpointState[] rs = v.replicas;
    int n = rs.length;
    if (n == 1) {
      EndpointState only = rs[0];
      return only.healthy && only != skip1 && only != skip2 ? only : null;
    }
    if (n == 0) {
      return null;
    }
    int start = v.next++ & Integer.MAX_VALUE;
    if (balancing == Balancing.ROUND_ROBIN) {
      for (int i = 0; i < n; i++) {
        EndpointState e = rs[(start + i) % n];
        if (e.healthy && e != skip1 && e != skip2) {
          return e;
        }
      }
      return null;
    }
    EndpointState best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      EndpointState e = rs[(start + i) % n];
      if (e.healthy && e != skip1 && e != skip2) {
        int load = e.inFlight();
        if (load < bestLoad) {
          best = e;
          bestLoad = load;
        }
      }
    }
    return best;
  }
}
