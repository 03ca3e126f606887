package dev.sluice.router.internal;

import dev.sluice.router.Ticker;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.metrics.StatusCounts;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.shadow.ShadowWindow;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/** All {@link VersionMetrics} of a router by app and version, and their Prometheus export. */
final class MetricsRegistry implements RouterMetrics {

  /** One replica's health for the {@code sluice_replica_healthy} gauge. */
  record ReplicaHealth(
      String app, String version, String replica, boolean healthy, boolean ejected) {}

  private record Key(String app, String version) {}

  private record FlagKey(String app, String flag, String variant) {}

  private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  private static final String[] LE = new String[VersionMetrics.BUCKETS.length];

  static {
    for (int i = 0; i < LE.length; i++) {
      LE[i] = BigDecimal.valueOf(VersionMetrics.BUCKETS[i]).stripTrailingZeros().toPlainString();
    }
  }

  private final ConcurrentHashMap<Key, VersionMetrics> versions = new ConcurrentHashMap<>();

  /** Per flag and variant of edge flags; a VersionMetrics whose version is the variant. */
  private final ConcurrentHashMap<FlagKey, VersionMetrics> flags = new ConcurrentHashMap<>();

  private final int loops;
  private final Ticker ticker;
  private final long origin;
  private final Supplier<List<ReplicaHealth>> replicas;

  MetricsRegistry(int loops, Ticker ticker, Supplier<List<ReplicaHealth>> replicas) {
    this.loops = loops;
    this.ticker = ticker;
    this.origin = ticker.nanos();
    this.replicas = replicas;
  }

  VersionMetrics of(String app, String version) {
    return versions.computeIfAbsent(
        new Key(app, version), k -> new VersionMetrics(app, version, loops, ticker, origin));
  }

  VersionMetrics flagOf(String app, String flag, String variant) {
    return flags.computeIfAbsent(
        new FlagKey(app, flag, variant),
        k -> new VersionMetrics(app, variant, loops, ticker, origin));
  }

  /**
   * Forgets the metrics of versions that are in no table ({@code inTables} holds those that are)
   * and were quiet for longer than the longest window, so that a router with a release a minute
   * does not keep every version it ever served (about 280 KB each, mostly window slots). Their
   * series leave the Prometheus export; a version that comes back starts from zero, which
   * Prometheus reads as a counter reset. Returns how many were forgotten.
   */
  int forget(Set<VersionMetrics> inTables) {
    int n = 0;
    for (Map.Entry<Key, VersionMetrics> e : versions.entrySet()) {
      VersionMetrics m = e.getValue();
      if (!inTables.contains(m) && m.quietLongerThanWindows() && versions.remove(e.getKey(), m)) {
        n++;
      }
    }
    return n;
  }

  /** How many versions have metrics. */
  int versionCount() {
    return versions.size();
  }

  void flushAll() {
    for (VersionMetrics m : versions.values()) {
      m.flush();
    }
    for (VersionMetrics m : flags.values()) {
      m.flush();
    }
  }

  @Override
  public WindowSnapshot flagWindow(String app, String flag, String variant, Duration window) {
    checkWindow(window);
    VersionMetrics m = flags.get(new FlagKey(app, flag, variant));
    if (m == null) {
      return new WindowSnapshot(
          window, 0, StatusCounts.ZERO, 0, new Histogram(VersionMetrics.MAX_MICROS, 2));
    }
    return m.window(window);
  }

  @Override
  public java.util.SortedSet<String> flagVariants(String app, String flag) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (FlagKey k : flags.keySet()) {
      if (k.app().equals(app) && k.flag().equals(flag)) {
        out.add(k.variant());
      }
    }
    return out;
  }

  private static void checkWindow(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("window: " + window + " (expected: 1s..10m)");
    }
  }

  @Override
  public WindowSnapshot window(String app, String version, Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("window: " + window + " (expected: 1s..10m)");
    }
    VersionMetrics m = versions.get(new Key(app, version));
    if (m == null) {
      return new WindowSnapshot(
          window, 0, StatusCounts.ZERO, 0, new Histogram(VersionMetrics.MAX_MICROS, 2));
    }
    return m.window(window);
  }

  /** Returns the shadow results of a version in a window; zeros for an unknown version. */
  ShadowWindow shadowWindow(String app, String version, Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("window: " + window + " (expected: 1s..10m)");
    }
    VersionMetrics m = versions.get(new Key(app, version));
    return m == null ? new ShadowWindow(window, 0, 0, 0, 0) : m.shadowWindow(window);
  }

  private static final String[] SHADOW_RESULTS = {"same", "different", "error", "dropped"};

  @Override
  public void writePrometheus(Appendable out) throws IOException {
    List<VersionMetrics> all = new ArrayList<>(versions.values());
    all.sort(Comparator.comparing((VersionMetrics m) -> m.app).thenComparing(m -> m.version));

    header(out, "sluice_requests_total", "counter", "Requests answered, by status class.");
    for (VersionMetrics m : all) {
      for (int c = 1; c <= 5; c++) {
        out.append("sluice_requests_total");
        labels(out, m, "code", CLASSES[c - 1]);
        out.append(' ').append(Long.toString(m.requests(c))).append('\n');
      }
    }
    header(
        out,
        "sluice_upstream_failures_total",
        "counter",
        "Failed upstream attempts (connect, reset, timeout), retried or not.");
    for (VersionMetrics m : all) {
      out.append("sluice_upstream_failures_total");
      labels(out, m, null, null);
      out.append(' ').append(Long.toString(m.upstreamFailures())).append('\n');
    }
    counter(
        out,
        all,
        "sluice_retries_total",
        "Attempts retried on another replica (connect failure, reset, 503).",
        VersionMetrics::retries);
    counter(
        out,
        all,
        "sluice_retries_budget_exhausted_total",
        "Retries not made because the retry budget was spent.",
        VersionMetrics::retriesDenied);
    counter(
        out,
        all,
        "sluice_outlier_ejections_total",
        "Replicas ejected by outlier detection (consecutive failures).",
        VersionMetrics::ejections);
    counter(
        out,
        all,
        "sluice_replica_limit_rejections_total",
        "Requests answered 503 because replicas were at their connection and pending limits.",
        VersionMetrics::overLimit);
    series(
        out,
        all,
        "sluice_requests_in_flight",
        "gauge",
        "Requests being served now.",
        VersionMetrics::inFlight);
    header(
        out,
        "sluice_request_duration_seconds",
        "histogram",
        "Time from request headers received to response completed.");
    for (VersionMetrics m : all) {
      long[] b = m.buckets();
      for (int i = 0; i < LE.length; i++) {
        out.append("sluice_request_duration_seconds_bucket");
        labels(out, m, "le", LE[i]);
        out.append(' ').append(Long.toString(b[i])).append('\n');
      }
      out.append("sluice_request_duration_seconds_bucket");
      labels(out, m, "le", "+Inf");
      out.append(' ').append(Long.toString(b[LE.length])).append('\n');
      out.append("sluice_request_duration_seconds_sum");
      labels(out, m, null, null);
      out.append(' ').append(Double.toString(m.sumSeconds())).append('\n');
      out.append("sluice_request_duration_seconds_count");
      labels(out, m, null, null);
      out.append(' ').append(Long.toString(b[LE.length])).append('\n');
    }
    counter(
        out,
        all,
        "sluice_upgrades_total",
        "Requests answered 101 whose connections became a tunnel (WebSocket and other upgrades).",
        VersionMetrics::upgrades);
    series(
        out,
        all,
        "sluice_tunnels_open",
        "gauge",
        "Upgraded connections (tunnels) open now.",
        VersionMetrics::tunnelsOpen);
    counter(
        out,
        all,
        "sluice_tunnels_drained_total",
        "Tunnels the router ended when their version had left the table for drainTimeout.",
        VersionMetrics::tunnelsDrained);
    boolean shadowHeader = false;
    for (VersionMetrics m : all) {
      long[] totals = new long[SHADOW_RESULTS.length];
      long any = 0;
      for (int i = 0; i < totals.length; i++) {
        totals[i] = m.shadowTotal(VersionMetrics.SHADOW_SAME + i);
        any += totals[i];
      }
      if (any == 0) {
        continue;
      }
      if (!shadowHeader) {
        header(
            out,
            "sluice_shadow_requests_total",
            "counter",
            "Shadow copies by result: same, different, error (not compared), dropped (not sent).");
        shadowHeader = true;
      }
      for (int i = 0; i < totals.length; i++) {
        out.append("sluice_shadow_requests_total");
        labels(out, m, "result", SHADOW_RESULTS[i]);
        out.append(' ').append(Long.toString(totals[i])).append('\n');
      }
    }
    writeFlags(out);
    header(out, "sluice_replica_healthy", "gauge", "1 when the replica may get traffic.");
    for (ReplicaHealth r : replicas.get()) {
      out.append("sluice_replica_healthy{app=\"")
          .append(escape(r.app()))
          .append("\",version=\"")
          .append(escape(r.version()))
          .append("\",replica=\"")
          .append(escape(r.replica()))
          .append("\"} ")
          .append(r.healthy() ? "1" : "0")
          .append('\n');
    }
    header(
        out,
        "sluice_replica_ejected",
        "gauge",
        "1 while outlier detection keeps the replica out of traffic.");
    for (ReplicaHealth r : replicas.get()) {
      out.append("sluice_replica_ejected{app=\"")
          .append(escape(r.app()))
          .append("\",version=\"")
          .append(escape(r.version()))
          .append("\",replica=\"")
          .append(escape(r.replica()))
          .append("\"} ")
          .append(r.ejected() ? "1" : "0")
          .append('\n');
    }
  }

  private static void counter(
      Appendable out,
      List<VersionMetrics> all,
      String name,
      String help,
      ToLongFunction<VersionMetrics> value)
      throws IOException {
    series(out, all, name, "counter", help, value);
  }

  /** One sample per version, under a header of the given type. */
  private static void series(
      Appendable out,
      List<VersionMetrics> all,
      String name,
      String type,
      String help,
      ToLongFunction<VersionMetrics> value)
      throws IOException {
    header(out, name, type, help);
    for (VersionMetrics m : all) {
      out.append(name);
      labels(out, m, null, null);
      out.append(' ').append(Long.toString(value.applyAsLong(m))).append('\n');
    }
  }

  private void writeFlags(Appendable out) throws IOException {
    if (flags.isEmpty()) {
      return;
    }
    List<Map.Entry<FlagKey, VersionMetrics>> all = new ArrayList<>(flags.entrySet());
    all.sort(
        Comparator.comparing((Map.Entry<FlagKey, VersionMetrics> e) -> e.getKey().app())
            .thenComparing(e -> e.getKey().flag())
            .thenComparing(e -> e.getKey().variant()));
    header(
        out,
        "sluice_flag_variant_requests_total",
        "counter",
        "Requests by the variant of a flag evaluated at the edge, by status class.");
    for (Map.Entry<FlagKey, VersionMetrics> e : all) {
      for (int c = 1; c <= 5; c++) {
        out.append("sluice_flag_variant_requests_total");
        flagLabels(out, e.getKey(), "code", CLASSES[c - 1]);
        out.append(' ').append(Long.toString(e.getValue().requests(c))).append('\n');
      }
    }
    header(
        out,
        "sluice_flag_variant_request_duration_seconds",
        "histogram",
        "Time from request headers received to response completed, by flag variant.");
    for (Map.Entry<FlagKey, VersionMetrics> e : all) {
      VersionMetrics m = e.getValue();
      long[] b = m.buckets();
      for (int i = 0; i < LE.length; i++) {
        out.append("sluice_flag_variant_request_duration_seconds_bucket");
        flagLabels(out, e.getKey(), "le", LE[i]);
        out.append(' ').append(Long.toString(b[i])).append('\n');
      }
      out.append("sluice_flag_variant_request_duration_seconds_bucket");
      flagLabels(out, e.getKey(), "le", "+Inf");
      out.append(' ').append(Long.toString(b[LE.length])).append('\n');
      out.append("sluice_flag_variant_request_duration_seconds_sum");
      flagLabels(out, e.getKey(), null, null);
      out.append(' ').append(Double.toString(m.sumSeconds())).append('\n');
      out.append("sluice_flag_variant_request_duration_seconds_count");
      flagLabels(out, e.getKey(), null, null);
      out.append(' ').append(Long.toString(b[LE.length])).append('\n');
    }
  }

  private static void flagLabels(
      Appendable out, FlagKey k, @Nullable String extraName, @Nullable String extraValue)
      throws IOException {
    out.append("{app=\"")
        .append(escape(k.app()))
        .append("\",flag=\"")
        .append(escape(k.flag()))
        .append("\",variant=\"")
        .append(escape(k.variant()))
        .append('"');
    if (extraName != null) {
      out.append(',').append(extraName).append("=\"").append(extraValue).append('"');
    }
    out.append('}');
  }

  private static void header(Appendable out, String name, String type, String help)
      throws IOException {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void labels(
      Appendable out, VersionMetrics m, @Nullable String extraName, @Nullable String extraValue)
      throws IOException {
    out.append("{app=\"")
        .append(escape(m.app))
        .append("\",version=\"")
        .append(escape(m.version))
        .append('"');
    if (extraName != null) {
      out.append(',').append(extraName).append("=\"").append(extraValue).append('"');
    }
    out.append('}');
  }

  static String escape(String v) {
    if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
      return v;
    }
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
