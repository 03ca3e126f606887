package dev.sluice.router.internal;

import dev.sluice.router.Ticker;
import dev.sluice.router.metrics.StatusCounts;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.shadow.ShadowWindow;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The metrics of one version of one app: recording on the hot path without atomic instructions,
 * windows and Prometheus totals read off it.
 *
 * <p>Each event loop records into its own row of {@link LoopCounters} and its own HdrHistogram
 * {@link SingleWriterRecorder} (wait-free for its one writer), so two loops never contend. Once a
 * second (and before every read) {@link #flush()} merges the loops' interval histograms and counter
 * deltas into two {@link SlotRing}s: 121 slots of 1 s (windows up to 2 min) and 61 slots of 10 s
 * (windows up to 10 min). Only that flush and the readers take this object's monitor. Memory: a
 * slot histogram (int counts, 2 significant digits, 1 us..10 min) is about 12 KiB and is allocated
 * on a slot's first traffic, so a busy version costs about 182 x 12 KiB = 2.2 MiB plus 3 x 24 KiB
 * per event loop for its recorder; an idle one a few dozen KiB.
 */
final class VersionMetrics {

  /** Latencies above this (10 minutes, in microseconds) are recorded as this. */
  static final long MAX_MICROS = 600_000_000L;

  /** Upper bounds of the Prometheus histogram buckets, in seconds. */
  static final double[] BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private static final long SECOND = 1_000_000_000L;

  // Counter fields: 0..4 are the status classes 1xx..5xx; 0..9 are the windowed ones.
  private static final int FAILURES = 5;

  /** Shadow results, fields 6..9: same, different, error, dropped. */
  static final int SHADOW_SAME = 6;

  static final int SHADOW_DIFFERENT = 7;
  static final int SHADOW_ERROR = 8;
  static final int SHADOW_DROPPED = 9;
  private static final int STARTED = 10;
  private static final int ENDED = 11;
  private static final int SUM_MICROS = 12;
  private static final int TUNNELS_OPENED = 13;
  private static final int TUNNELS_CLOSED = 14;
  private static final int TUNNELS_DRAINED = 15;

  final String app;
  final String version;

  private final Ticker ticker;
  private final long origin;
  private final LoopCounters counters;
  private final SingleWriterRecorder[] recorders;

  /**
   * Retries, retries the budget refused, 503s for the limits, and outlier ejections: they happen
   * only when something fails, so shared counters cost nothing on the path of a good request.
   */
  private final AtomicLong retries = new AtomicLong();

  private final AtomicLong retriesDenied = new AtomicLong();
  private final AtomicLong overLimit = new AtomicLong();
  private final AtomicLong ejections = new AtomicLong();

  // Guarded by this.
  private final Histogram[] intervals;
  private final Histogram merged = new Histogram(MAX_MICROS, 2);
  private final SlotRing seconds = new SlotRing(121);
  private final SlotRing tens = new SlotRing(61);

  /** The second of creation or of the last flush that had traffic. */
  private long quietSince;

  /** Whether window slots may hold histograms (false until traffic, and once they were freed). */
  private boolean holdsWindows;

  private final long[] flushed = new long[SlotRing.COUNTERS];
  private final long[] deltas = new long[SlotRing.COUNTERS];
  private final long[] bucketCounts = new long[BUCKETS.length];
  private final long[] bucketMicros = new long[BUCKETS.length];
  private long observations;

  VersionMetrics(String app, String version, int loops, Ticker ticker, long origin) {
    this.app = app;
    this.version = version;
    this.ticker = ticker;
    this.origin = origin;
    this.counters = new LoopCounters(loops, 16);
    this.recorders = new SingleWriterRecorder[loops];
    this.intervals = new Histogram[loops];
    for (int i = 0; i < loops; i++) {
      recorders[i] = new SingleWriterRecorder(MAX_MICROS, 2);
      intervals[i] = recorders[i].getIntervalHistogram();
    }
    for (int i = 0; i < BUCKETS.length; i++) {
      bucketMicros[i] = Math.round(BUCKETS[i] * 1_000_000);
    }
    this.quietSince = Math.max(0, (ticker.nanos() - origin) / SECOND);
  }

  void started(int loop) {
    counters.add(loop, STARTED, 1);
  }

  void abandoned(int loop) {
    counters.add(loop, ENDED, 1);
  }

  /** Records a completed request; {@code status} 100..599. Call on loop {@code loop}. */
  void completed(int loop, int status, long micros) {
    int cls = status / 100 - 1;
    long v = micros < 0 ? 0 : Math.min(micros, MAX_MICROS);
    LoopCounters c = counters;
    c.add(loop, ENDED, 1);
    c.add(loop, cls < 0 || cls > 4 ? 4 : cls, 1);
    c.add(loop, SUM_MICROS, v);
    recorders[loop].recordValue(v);
  }

  void upstreamFailed(int loop) {
    counters.add(loop, FAILURES, 1);
  }

  /** Counts a request answered 101 whose connections became a tunnel. Call on loop {@code loop}. */
  void tunnelOpened(int loop) {
    counters.add(loop, TUNNELS_OPENED, 1);
  }

  /** Counts a tunnel that closed. Call on the loop that counted it opened. */
  void tunnelClosed(int loop) {
    counters.add(loop, TUNNELS_CLOSED, 1);
  }

  /** Counts a tunnel the router ended because its version left the table. */
  void tunnelDrained(int loop) {
    counters.add(loop, TUNNELS_DRAINED, 1);
  }

  /** Returns the tunnels open now. */
  long tunnelsOpen() {
    return Math.max(0, counters.sum(TUNNELS_OPENED) - counters.sum(TUNNELS_CLOSED));
  }

  /** Returns the requests upgraded into tunnels since the start. */
  long upgrades() {
    return counters.sum(TUNNELS_OPENED);
  }

  /** Returns the tunnels ended by a drain timeout since the start. */
  long tunnelsDrained() {
    return counters.sum(TUNNELS_DRAINED);
  }

  /** Counts a retry on another replica. Any thread. */
  void retried(int loop) {
    retries.incrementAndGet();
  }

  /** Counts a retry that the retry budget refused. Any thread. */
  void retryDenied(int loop) {
    retriesDenied.incrementAndGet();
  }

  /** Counts a request answered 503 because replicas were at their connection limit. Any thread. */
  void overLimit(int loop) {
    overLimit.incrementAndGet();
  }

  /** Counts an outlier ejection of one of the version's replicas. Any thread. */
  void ejected() {
    ejections.incrementAndGet();
  }

  long retries() {
    return retries.get();
  }

  long retriesDenied() {
    return retriesDenied.get();
  }

  long overLimit() {
    return overLimit.get();
  }

  long ejections() {
    return ejections.get();
  }

  /** Counts a shadow result: one of the SHADOW_ fields. Call on loop {@code loop}. */
  void shadow(int loop, int result) {
    counters.add(loop, result, 1);
  }

  /** Returns the total of a shadow result (SHADOW_ field) since the start. */
  long shadowTotal(int result) {
    return counters.sum(result);
  }

  long inFlight() {
    return Math.max(0, counters.sum(STARTED) - counters.sum(ENDED));
  }

  long requests(int statusClass) {
    return counters.sum(statusClass - 1);
  }

  long upstreamFailures() {
    return counters.sum(FAILURES);
  }

  double sumSeconds() {
    return counters.sum(SUM_MICROS) / 1e6;
  }

  /**
   * Whether nothing was recorded for longer than the longest window and nothing is in flight: no
   * window can read anything of this version, so a version in no table may be forgotten.
   */
  synchronized boolean quietLongerThanWindows() {
    long second = Math.max(0, (ticker.nanos() - origin) / SECOND);
    return second - quietSince > (long) tens.size() * 10 && inFlight() == 0;
  }

  /** How many window slots hold a latency histogram (memory kept for the windows). */
  synchronized int windowHistograms() {
    return seconds.histograms() + tens.histograms();
  }

  /** Moves what was recorded since the last flush into the windows and bucket totals. */
  synchronized void flush() {
    long second = Math.max(0, (ticker.nanos() - origin) / SECOND);
    merged.reset();
    for (int i = 0; i < recorders.length; i++) {
      intervals[i] = recorders[i].getIntervalHistogram(intervals[i]);
      if (intervals[i].getTotalCount() > 0) {
        merged.add(intervals[i]);
      }
    }
    boolean any = merged.getTotalCount() > 0;
    for (int i = 0; i < SlotRing.COUNTERS; i++) {
      long now = counters.sum(i);
      deltas[i] = now - flushed[i];
      flushed[i] = now;
      any |= deltas[i] != 0;
    }
    if (!any) {
      // Idle for longer than the longest window: the windows' histograms hold nothing any window
      // can read, so they are freed (once) rather than kept for every version ever seen.
      if (holdsWindows && second - quietSince > (long) tens.size() * 10) {
        seconds.release(second);
        tens.release(second / 10);
        holdsWindows = false;
      }
      return;
    }
    holdsWindows = true;
    quietSince = second;
    seconds.add(second, merged, deltas);
    tens.add(second / 10, merged, deltas);
    long count = merged.getTotalCount();
    if (count > 0) {
      observations += count;
      for (int i = 0; i < BUCKETS.length; i++) {
        bucketCounts[i] += merged.getCountBetweenValues(0, bucketMicros[i]);
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
    Histogram latency = new Histogram(MAX_MICROS, 2);
    long[] sums = sums(window, latency);
    StatusCounts counts = new StatusCounts(sums[0], sums[1], sums[2], sums[3], sums[4]);
    return new WindowSnapshot(window, counts.total(), counts, sums[5], latency);
  }

  synchronized ShadowWindow shadowWindow(Duration window) {
    long[] sums = sums(window, new Histogram(MAX_MICROS, 2));
    return new ShadowWindow(
        window,
        sums[SHADOW_SAME],
        sums[SHADOW_DIFFERENT],
        sums[SHADOW_ERROR],
        sums[SHADOW_DROPPED]);
  }

  private long[] sums(Duration window, Histogram latency) {
    flush();
    long second = Math.max(0, (ticker.nanos() - origin) / SECOND);
    long secs = Math.max(1, (window.toMillis() + 999) / 1000);
    long[] sums = new long[SlotRing.COUNTERS];
    if (secs <= seconds.size() - 1) {
      seconds.sum(second, (int) secs, latency, sums);
    } else {
      tens.sum(second / 10, (int) Math.min(tens.size(), (secs + 9) / 10), latency, sums);
    }
    return sums;
  }
}
