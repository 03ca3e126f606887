package dev.sluice.router.internal;

import dev.sluice.router.shadow.BodyCompare;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.router.shadow.ShadowWindow;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Compares finished shadow pairs, counts their results in the shadow version's metrics (windows and
 * the Prometheus counter) and keeps the most recent differing pairs of each app.
 *
 * <p>{@link #record} runs on the pair's event loop: counting is a per-loop store, and only a pair
 * that differs takes the lock of its app's sample ring.
 */
final class ShadowRegistry implements ShadowResults {

  private static final int MAX_DIFFERENCES = 10;

  private final MetricsRegistry metrics;
  private final Clock clock;
  private final ConcurrentHashMap<String, ArrayDeque<ShadowDiff>> diffs = new ConcurrentHashMap<>();

  ShadowRegistry(MetricsRegistry metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public ShadowWindow window(String app, String version, Duration window) {
    return metrics.shadowWindow(app, version, window);
  }

  @Override
  public List<ShadowDiff> diffs(String app) {
    ArrayDeque<ShadowDiff> ring = diffs.get(app);
    if (ring == null) {
      return List.of();
    }
    synchronized (ring) {
      List<ShadowDiff> out = new ArrayList<>(ring);
      java.util.Collections.reverse(out);
      return out;
    }
  }

  /** Counts a finished pair (or a dropped copy) and keeps it as a sample when it differs. */
  void record(ShadowExchange x) {
    VersionMetrics m = x.plan.version.metrics;
    if (x.shadowState == ShadowExchange.DROPPED) {
      m.shadow(x.loop, VersionMetrics.SHADOW_DROPPED);
      return;
    }
    if (x.shadowState == ShadowExchange.FAILED
        || x.comparing() && x.primaryState != ShadowExchange.OK) {
      m.shadow(x.loop, VersionMetrics.SHADOW_ERROR);
      return;
    }
    if (!x.comparing()) {
      m.shadow(x.loop, VersionMetrics.SHADOW_SAME);
      return;
    }
    List<String> differences = new ArrayList<>();
    if (!compare(x, differences)) {
      m.shadow(x.loop, VersionMetrics.SHADOW_ERROR);
      return;
    }
    if (differences.isEmpty()) {
      m.shadow(x.loop, VersionMetrics.SHADOW_SAME);
      return;
    }
    m.shadow(x.loop, VersionMetrics.SHADOW_DIFFERENT);
    keep(x, differences);
  }

  /** Compares a pair into {@code differences}; false when it cannot be compared (an error). */
  private static boolean compare(ShadowExchange x, List<String> differences) {
    ShadowPlan plan = x.plan;
    if (plan.compare.status() && x.primaryStatus != x.shadowStatus) {
      differences.add("status");
    }
    for (int i = 0; i < plan.headerNames.size(); i++) {
      if (!java.util.Objects.equals(x.primaryHeaders[i], x.shadowHeaders[i])) {
        differences.add("header " + plan.headerNames.get(i));
      }
    }
    if (plan.body == BodyCompare.NONE) {
      return true;
    }
    BodyCapture a = x.primaryBody;
    BodyCapture b = x.shadowBody;
    if (a.overflowed() || b.overflowed()) {
      if (a.total() != b.total() && plan.body == BodyCompare.EXACT) {
        differences.add("body");
        return true;
      }
      return false;
    }
    if (plan.body == BodyCompare.EXACT) {
      if (!Arrays.equals(a.bytes(), 0, a.length(), b.bytes(), 0, b.length())) {
        differences.add("body");
      }
      return true;
    }
    Object ja;
    Object jb;
    try {
      ja = JsonTree.parse(a.bytes(), a.length());
      jb = JsonTree.parse(b.bytes(), b.length());
    } catch (JsonTree.NotJson e) {
      return false;
    }
    for (String pointer : plan.compare.ignoreJsonPointers()) {
      ja = JsonTree.ignore(ja, pointer);
      jb = JsonTree.ignore(jb, pointer);
    }
    List<String> paths = new ArrayList<>();
    JsonTree.diff(ja, jb, "", paths, MAX_DIFFERENCES);
    for (String path : paths) {
      differences.add(path.isEmpty() ? "body" : "body " + path);
    }
    return true;
  }

  private void keep(ShadowExchange x, List<String> differences) {
    ShadowDiff d =
        new ShadowDiff(
            clock.instant(),
            x.table.app,
            x.primaryVersion.name,
            x.plan.version.name,
            x.method,
            x.target,
            side(x.plan, x.primaryStatus, x.primaryHeaders, x.primaryBody),
            side(x.plan, x.shadowStatus, x.shadowHeaders, x.shadowBody),
            differences);
    ArrayDeque<ShadowDiff> ring = diffs.computeIfAbsent(x.table.app, k -> new ArrayDeque<>());
    synchronized (ring) {
      if (ring.size() == MAX_DIFFS) {
        ring.removeFirst();
      }
      ring.addLast(d);
    }
  }

  private static ShadowDiff.Response side(
      ShadowPlan plan,
      int status,
      @Nullable String @Nullable [] headers,
      @Nullable BodyCapture body) {
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i < plan.headerNames.size() && headers != null; i++) {
      if (headers[i] != null) {
        h.put(plan.headerNames.get(i), headers[i]);
      }
    }
    String excerpt = "";
    long bytes = 0;
    if (body != null) {
      bytes = body.total();
      int n = Math.min(body.length(), ShadowDiff.EXCERPT * 4);
      excerpt = new String(body.bytes(), 0, n, StandardCharsets.UTF_8);
      if (excerpt.length() > ShadowDiff.EXCERPT) {
        excerpt = excerpt.substring(0, ShadowDiff.EXCERPT);
      }
    }
    return new ShadowDiff.Response(status, h, excerpt, bytes);
  }
}
