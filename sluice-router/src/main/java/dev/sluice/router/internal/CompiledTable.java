package dev.sluice.router.internal;

import dev.sluice.router.Balancing;
import dev.sluice.router.RouteRule;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.Sticky;
import dev.sluice.router.shadow.Shadow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A routing table resolved for the hot path: versions with their replica states and metrics in
 * arrays, compiled rules, the sticky ranges and the cumulative weights for a weighted random
 * choice.
 *
 * <p>Selection of a request's first attempt ({@link #selectFirst}): the first matching rule names a
 * version; else the sticky key's hash or the session cookie names one; else a version is drawn with
 * probability weight/total. Then the version's healthy replica with the fewest requests in flight
 * is taken (ties and round robin rotate from a shared counter). When a rule's version has no
 * healthy replica the request falls through to sticky and weights; when the sticky or drawn version
 * has none, the other versions with weight above 0 are tried in table order. Retries ({@link
 * #select}) keep the version when they can and skip the replicas already tried.
 *
 * <p>Sticky hashing (see {@link Sticky}): the versions with weight above 0 take consecutive ranges
 * of [0, 10000) from the last version backwards, each as wide as its share of the weights, so that
 * a growing newest version only gains keys. The point of a key is its MurmurHash3 (x86, 32 bit,
 * seed 0) as an unsigned number modulo 10000.
 */
final class CompiledTable {

  /** The sticky hash space: points 0..9999 (a hundredth of a percent each). */
  static final int STICKY_POINTS = 10_000;

  final RoutingTable source;
  final String app;
  final VersionEntry[] versions;

  /** Whether selection reads the request head (rules or sticky); false keeps the plain path. */
  final boolean inspects;

  private final int[] cumulative;
  private final int totalWeight;
  private final CompiledMatch[] ruleMatches;
  private final @Nullable VersionEntry[] ruleVersions;
  private final int stickySource;
  private final byte[] stickyName;
  private final VersionEntry[] stickyOrder;
  private final int[] stickyBound;

  /** The table's shadow traffic, or null (none, or its version is not in the table). */
  final @Nullable ShadowPlan shadow;

  CompiledTable(String app, RoutingTable source, VersionEntry[] versions, int loops) {
    this.app = app;
    this.source = source;
    this.versions = versions;
    this.cumulative = new int[versions.length];
    int sum = 0;
    for (int i = 0; i < versions.length; i++) {
      sum += versions[i].weight;
      cumulative[i] = sum;
    }
    this.totalWeight = sum;

    List<CompiledMatch> matches = new ArrayList<>();
    List<VersionEntry> targets = new ArrayList<>();
    for (RouteRule r : source.rules()) {
      VersionEntry v = byName(r.version());
      if (v != null) {
        matches.add(new CompiledMatch(r, loops));
        targets.add(v);
      }
    }
    this.ruleMatches = matches.toArray(new CompiledMatch[0]);
    this.ruleVersions = targets.toArray(new VersionEntry[0]);

    Sticky sticky = source.sticky();
    this.stickySource = sticky == null ? -1 : sticky.source().ordinal();
    this.stickyName =
        sticky == null
            ? new byte[0]
            : (sticky.source() == Sticky.Source.HEADER
                    ? sticky.name().toLowerCase(java.util.Locale.ROOT)
                    : sticky.name())
                .getBytes(StandardCharsets.US_ASCII);
    List<VersionEntry> order = new ArrayList<>();
    List<Integer> bounds = new ArrayList<>();
    long c = 0;
    for (int i = versions.length - 1; i >= 0 && totalWeight > 0; i--) {
      if (versions[i].weight > 0) {
        c += versions[i].weight;
        order.add(versions[i]);
        bounds.add((int) (c * STICKY_POINTS / totalWeight));
      }
    }
    this.stickyOrder = order.toArray(new VersionEntry[0]);
    this.stickyBound = bounds.stream().mapToInt(Integer::intValue).toArray();
    if (sticky != null && sticky.source() == Sticky.Source.SESSION_COOKIE) {
      for (VersionEntry v : versions) {
        v.sessionCookie(sticky.name());
      }
    }
    this.inspects = ruleMatches.length > 0 || sticky != null;
    Shadow sh = source.shadow();
    VersionEntry shadowVersion = sh == null ? null : byName(sh.version());
    this.shadow = shadowVersion == null ? null : new ShadowPlan(sh, shadowVersion);
  }

  /** Returns whether this table has version {@code name} with replica {@code e} in it. */
  boolean routesTo(String name, EndpointState e) {
    VersionEntry v = byName(name);
    if (v != null) {
      for (EndpointState r : v.replicas) {
        if (r == e) {
          return true;
        }
      }
    }
    return false;
  }

  private @Nullable VersionEntry byName(String name) {
    for (VersionEntry v : versions) {
      if (v.name.equals(name)) {
        return v;
      }
    }
    return null;
  }

  /**
   * Selects the version and replica of a request's first attempt; fills {@code route} (its {@code
   * setCookie} says whether the response must pin the client) and returns whether a replica was
   * found. {@code p} holds the parsed head; it is read only when the table {@link #inspects}.
   */
  boolean selectFirst(
      Route route, HeadParser p, byte[] clientAddress, MatchScratch scratch, Balancing b) {
    route.setCookie = null;
    if (!inspects) {
      return select(route, null, b, null, null);
    }
    for (int i = 0; i < ruleMatches.length; i++) {
      if (ruleMatches[i].matches(p, clientAddress, scratch)) {
        VersionEntry v = ruleVersions[i];
        EndpointState e = replica(v, b, null, null);
        if (e != null) {
          route.version = v;
          route.endpoint = e;
          return true;
        }
        break;
      }
    }
    if (stickySource < 0) {
      return select(route, null, b, null, null);
    }
    if (stickySource == Sticky.Source.SESSION_COOKIE.ordinal()) {
      return sessionCookie(route, p, b);
    }
    long span;
    if (stickySource == Sticky.Source.HEADER.ordinal()) {
      int f = p.findField(stickyName, 0);
      span = f < 0 ? -1 : (long) p.valueStart(f) << 32 | p.valueEnd(f);
    } else {
      span = RequestFields.cookie(p, stickyName);
    }
    if (span < 0 || (int) span == (int) (span >>> 32)) {
      return select(route, null, b, null, null);
    }
    int h = RequestFields.murmur3(p.bytes(), (int) (span >>> 32), (int) span, 0);
    return select(route, stickyVersion(h), b, null, null);
  }

  /** Returns the version whose sticky range holds this hash, or null when no weight is above 0. */
  @Nullable VersionEntry stickyVersion(int hash) {
    int point = (int) (Integer.toUnsignedLong(hash) % STICKY_POINTS);
    for (int i = 0; i < stickyOrder.length; i++) {
      if (point < stickyBound[i]) {
        return stickyOrder[i];
      }
    }
    return stickyOrder.length == 0 ? null : stickyOrder[stickyOrder.length - 1];
  }

  private boolean sessionCookie(Route route, HeadParser p, Balancing b) {
    long span = RequestFields.cookie(p, stickyName);
    if (span >= 0) {
      byte[] s = p.bytes();
      int from = (int) (span >>> 32);
      int to = (int) span;
      for (VersionEntry v : versions) {
        byte[] value = v.cookieValue;
        if (to - from == value.length && RequestFields.regionEquals(s, from, value, 0, to - from)) {
          EndpointState e = replica(v, b, null, null);
          if (e != null) {
            route.version = v;
            route.endpoint = e;
            return true;
          }
          break;
        }
      }
    }
    boolean found = select(route, null, b, null, null);
    if (found) {
      route.setCookie = route.version.setCookieLine;
    }
    return found;
  }

  /**
   * Fills {@code route}; returns whether a replica was found. {@code preferred} (a retry's version,
   * or the sticky one) replaces the weighted draw; {@code skip1} and {@code skip2} are replicas to
   * avoid.
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

  /**
   * Takes a connection slot of a usable replica of {@code v} other than the ones given, under
   * {@code limit}; returns it, or null when every one is at its limit.
   */
  static @Nullable EndpointState slotElsewhere(
      VersionEntry v,
      int limit,
      @Nullable EndpointState skip1,
      @Nullable EndpointState skip2,
      @Nullable EndpointState skip3) {
    for (EndpointState e : v.replicas) {
      if (e.healthy
          && !e.ejected
          && e != skip1
          && e != skip2
          && e != skip3
          && e.tryAcquireSlot(limit)) {
        return e;
      }
    }
    return null;
  }

  static @Nullable EndpointState replica(
      VersionEntry v,
      Balancing balancing,
      @Nullable EndpointState skip1,
      @Nullable EndpointState skip2) {
    EndpointState[] rs = v.replicas;
    int n = rs.length;
    if (n == 1) {
      EndpointState only = rs[0];
      return only.healthy && !only.ejected && only != skip1 && only != skip2 ? only : null;
    }
    if (n == 0) {
      return null;
    }
    int start = v.next++ & Integer.MAX_VALUE;
    if (balancing == Balancing.ROUND_ROBIN) {
      for (int i = 0; i < n; i++) {
        EndpointState e = rs[(start + i) % n];
        if (e.healthy && !e.ejected && e != skip1 && e != skip2) {
          return e;
        }
      }
      return null;
    }
    EndpointState best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      EndpointState e = rs[(start + i) % n];
      if (e.healthy && !e.ejected && e != skip1 && e != skip2) {
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
