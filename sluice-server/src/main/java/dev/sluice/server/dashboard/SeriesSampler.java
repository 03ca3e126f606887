package dev.sluice.server.dashboard;

import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.metrics.WindowSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last few minutes of every version's traffic, one row per second: requests, 5xx answers and
 * the p50 and p99 latency, sampled from the router's windows for the dashboard's charts.
 *
 * <p>The router's windows end with the current, partly elapsed second, so one window alone never
 * gives a whole second. The last <em>complete</em> second is the 2-second window minus the 1-second
 * one, read in that order: what the current second gained between the two reads is tiny, and the
 * 1-second window is always contained in the 2-second one read after it, so subtracting the latency
 * histograms never goes below zero. Sampled once a second, rows follow the router's seconds; a tick
 * that lands on the same second as the one before (scheduling jitter) repeats it, which a chart
 * shows as a flat step, never as a wrong value.
 *
 * <p>Thread-safe: one scheduled thread samples, page and stream handlers read copies.
 */
final class SeriesSampler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SeriesSampler.class);
  private static final Duration ONE = Duration.ofSeconds(1);
  private static final Duration TWO = Duration.ofSeconds(2);

  /**
   * One version's traffic in one second.
   *
   * @param requests requests completed
   * @param errors 5xx answers among them
   * @param p50Millis the median latency, null without requests
   * @param p99Millis the 99th percentile latency, null without requests
   */
  record Point(long requests, long errors, @Nullable Double p50Millis, @Nullable Double p99Millis) {

    static final Point NONE = new Point(0, 0, null, null);

    /** The share of 5xx answers, null without requests. */
    @Nullable Double errorShare() {
      return requests == 0 ? null : (double) errors / requests;
    }
  }

  /** One second of one app: each sampled version's point, by version. */
  record Row(long second, Map<String, Point> versions) {
    Row {
      versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }
  }

  private final RouterMetrics metrics;
  private final Supplier<Map<String, Set<String>>> versions;
  private final Clock clock;
  private final int capacity;
  private final Map<String, ArrayDeque<Row>> rows = new LinkedHashMap<>(); // guarded by this
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private @Nullable ScheduledExecutorService thread;

  /**
   * @param versions the versions to sample now, by app (asked before every sample)
   * @param capacity how many seconds to keep per app
   */
  SeriesSampler(
      RouterMetrics metrics,
      Supplier<Map<String, Set<String>>> versions,
      Clock clock,
      int capacity) {
    this.metrics = metrics;
    this.versions = versions;
    this.clock = clock;
    this.capacity = capacity;
  }

  /** Samples every {@code interval} on a thread of its own until {@link #close}. */
  synchronized void start(Duration interval) {
    if (thread != null) {
      return;
    }
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "sluice-dashboard-sampler");
              th.setDaemon(true);
              return th;
            });
    long every = interval.toMillis();
    t.scheduleAtFixedRate(this::sampleSafely, every, every, TimeUnit.MILLISECONDS);
    thread = t;
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      log.warn("dashboard: sampling the router's metrics failed: {}", e.toString());
    }
  }

  /** Takes one row per app now and tells the listeners. */
  void sample() {
    Map<String, Set<String>> now = versions.get();
    long second = clock.instant().getEpochSecond() - 1;
    synchronized (this) {
      rows.keySet().retainAll(now.keySet());
      for (Map.Entry<String, Set<String>> app : now.entrySet()) {
        Map<String, Point> points = new LinkedHashMap<>();
        for (String version : app.getValue()) {
          points.put(version, lastSecond(app.getKey(), version));
        }
        ArrayDeque<Row> ring = rows.computeIfAbsent(app.getKey(), k -> new ArrayDeque<>());
        Row last = ring.peekLast();
        // Charts need strictly increasing times; a late tick takes the next second.
        long at = last == null ? second : Math.max(second, last.second() + 1);
        ring.addLast(new Row(at, points));
        while (ring.size() > capacity) {
          ring.removeFirst();
        }
      }
    }
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.warn("dashboard: a series listener failed: {}", e.toString());
      }
    }
  }

  private Point lastSecond(String app, String version) {
    WindowSnapshot current = metrics.window(app, version, ONE);
    WindowSnapshot two = metrics.window(app, version, TWO);
    long requests = two.requests() - current.requests();
    if (requests <= 0) {
      return Point.NONE;
    }
    long errors = Math.max(0, two.counts().serverError() - current.counts().serverError());
    Histogram latency = two.latency();
    try {
      latency.subtract(current.latency());
    } catch (IllegalArgumentException e) {
      // Only if a window moved on between the reads; the 2-second window is close enough then.
      latency = two.latency();
    }
    if (latency.getTotalCount() == 0) {
      return new Point(requests, errors, null, null);
    }
    return new Point(
        requests,
        errors,
        latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0);
  }

  /** Every row kept for {@code app}, oldest first. */
  synchronized List<Row> rows(String app) {
    ArrayDeque<Row> ring = rows.get(app);
    return ring == null ? List.of() : List.copyOf(ring);
  }

  /** The rows of {@code app} after {@code second}, oldest first. */
  synchronized List<Row> rowsAfter(String app, long second) {
    ArrayDeque<Row> ring = rows.get(app);
    if (ring == null) {
      return List.of();
    }
    List<Row> out = new ArrayList<>();
    for (Row r : ring) {
      if (r.second() > second) {
        out.add(r);
      }
    }
    return out;
  }

  /** Calls {@code listener} after every sample, on the sampling thread. */
  Runnable subscribe(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
      thread = null;
    }
  }
}
