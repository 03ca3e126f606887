package dev.sluice.router.internal;

import dev.sluice.router.Ticker;
import dev.sluice.router.metrics.StatusCounts;
import dev.sluice.router.metrics.WindowSnapshot;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The metrics of one version of one app: lock-free recording on the hot path, windows and
 * Prometheus totals read off it.
 *
 * <p>Event loops record with {@link LongAdder}s and an HdrHistogram {@link Recorder}, whose writers
 * are wait-free. Once a second (and before every read) {@link #flush()} moves the recorder's
 * interval histogram and the counter deltas into two {@link SlotRing}s: 121 slots of 1 s (windows
 * up to 2 min) and 61 slots of 10 s (windows up to 10 min). Only that flush and the readers take
 * this object's monitor. Memory: a slot histogram (int counts, 2 significant digits, 1 us..10 min)
 * is about 12 KiB and is allocated on a slot's first traffic, so a busy version costs about 182 x
 * 12 KiB = 2.2 MiB, an idle one a few KiB.
 */
final class VersionMetrics {

  /** Latencies above this (10 minutes, in microseconds) are recorded as this. */
  static final long MAX_MICROS = 600_000_000L;

  /** Upper bounds of the Prometheus histogram buckets, in seconds. */
  static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private static final long SECOND = 1_000_000_000L;

  final String app;
  final String version;

  private final Ticker ticker;
  private final long origin;
  private final LongAdder[] byClass = new LongAdder[5];
  private final LongAdder upstreamFailures = new LongAdder();
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder sumMicros = new LongAdder();
  private final Recorder recorder = new Recorder(MAX_MICROS, 2);

  // Guarded by this.
  private Histogram interval;
  private final SlotRing seconds = new SlotRing(121);
  private final SlotRing tens = new SlotRing(61);
  private final long[] flushed = new long[SlotRing.COUNTERS];
  private final long[] deltas = new long[SlotRing.COUNTERS];
  private final long[] bucketCounts = new long[BUCKETS.length];
  private final long[] bucketMicros = new long[BUCKETS.length];
  private long observations;

  VersionMetrics(String app, String version, Ticker ticker, long origin) {
    this.app = app;
    this.version = version;
    this.ticker = ticker;
    this.origin = origin;
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new LongAdder();
    }
    for (int i = 0; i < BUCKETS.length; i++) {
      bucketMicros[i] = Math.round(BUCKETS[i] * 1_000_000);
    }
    interval = recorder.getIntervalHistogram();
  }

  void started() {
    inFlight.increment();
  }

  void abandoned() {
    inFlight.decrement();
  }

  /** Records a completed request; {@code status} 100..599. */
  void completed(int status, long micros) {
    inFlight.decrement();
    int cls = status / 100 - 1;
    byClass[cls < 0 || cls > 4 ? 4 : cls].increment();
    long v = micros < 0 ? 0 : Math.min(micros, MAX_MICROS);
    sumMicros.add(v);
    recorder.recordValue(v);
  }

  void upstreamFailed() {
    upstreamFailures.increment();
  }

  long inFlight() {
    return inFlight.sum();
  }

  long requests(int statusClass) {
    return byClass[statusClass - 1].sum();
  }

  long upstreamFailures() {
    return upstreamFailures.sum();
  }

  double sumSeconds() {
    return sumMicros.sum() / 1e6;
  }

  /** Moves what was recorded since the last flush into the windows and bucket totals. */
  synchronized void flush() {
    long second = Math.max(0, (ticker.nanos() - origin) / SECOND);
    interval = recorder.getIntervalHistogram(interval);
    boolean any = interval.getTotalCount() > 0;
    for (int i = 0; i < SlotRing.COUNTERS; i++) {
      long now = i < 5 ? byClass[i].sum() : upstreamFailures.sum();
      deltas[i] = now - flushed[i];
      flushed[i] = now;
      any |= deltas[i] != 0;
    }
    if (!any) {
      return;
    }
    seconds.add(second, interval, deltas);
    tens.add(second / 10, interval, deltas);
    long count = interval.getTotalCount();
    if (count > 0) {
      observations += count;
      for (int i = 0; i < BUCKETS.length; i++) {
        bucketCounts[i] += interval.getCountBetweenValues(0, bucketMicros[i]);
      }
    }
  }

  /** Returns cumulative bucket counts (aligned with {@link #BUCKETS}) then the total count. */
  synchronized long[] buckets() {
    flush();
    long[] out = java.util.Arrays.copyOf(bucketCounts, BUCKETS.length + 1);
    out[BUCKETS.length] = observations;
    return out;
  }

  synchronized WindowSnapshot window(Duration window) {
    flush();
    long second = Math.max(0, (ticker.nanos() - origin) / SECOND);
    long secs = Math.max(1, (window.toMillis() + 999) / 1000);
    Histogram latency = new Histogram(MAX_MICROS, 2);
    long[] sums = new long[SlotRing.COUNTERS];
    if (secs <= seconds.size() - 1) {
      seconds.sum(second, (int) secs, latency, sums);
    } else {
      tens.sum(second / 10, (int) Math.min(tens.size(), (secs + 9) / 10), latency, sums);
    }
    StatusCounts counts = new StatusCounts(sums[0], sums[1], sums[2], sums[3], sums[4]);
    return new WindowSnapshot(window, counts.total(), counts, sums[5], latency);
  }
}
