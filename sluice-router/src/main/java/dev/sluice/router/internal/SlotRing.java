package dev.sluice.router.internal;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * A ring of fixed-length time slots, each with a latency histogram and counters, for sliding
 * windows over recent traffic.
 *
 * <p>Slots are addressed by their absolute number (time / slot length); a position in the ring is
 * reused when its absolute number has passed out of range, so slots with no traffic cost nothing to
 * skip. Histograms are allocated on a slot's first traffic and reused after. Not thread-safe:
 * {@link VersionMetrics} guards it.
 */
final class SlotRing {

  /**
   * Counter columns per slot: status classes 1xx..5xx, upstream failures, then shadow results
   * (same, different, error, dropped).
   */
  static final int COUNTERS = 10;

  private final long[] slotNumber;
  private final IntCountsHistogram[] histograms;
  private final long[][] counters;

  SlotRing(int size) {
    slotNumber = new long[size];
    java.util.Arrays.fill(slotNumber, -1);
    histograms = new IntCountsHistogram[size];
    counters = new long[size][COUNTERS];
  }

  int size() {
    return slotNumber.length;
  }

  /** Adds an interval's latencies and counter deltas to slot {@code slot}. */
  void add(long slot, Histogram latency, long[] deltas) {
    int pos = (int) (slot % slotNumber.length);
    if (slotNumber[pos] != slot) {
      slotNumber[pos] = slot;
      java.util.Arrays.fill(counters[pos], 0);
      if (histograms[pos] != null) {
        histograms[pos].reset();
      }
    }
    if (latency.getTotalCount() > 0) {
      if (histograms[pos] == null) {
        histograms[pos] = new IntCountsHistogram(VersionMetrics.MAX_MICROS, 2);
      }
      histograms[pos].add(latency);
    }
    for (int i = 0; i < COUNTERS; i++) {
      counters[pos][i] += deltas[i];
    }
  }

  /**
   * Frees the histograms of slots that passed out of range by slot {@code current}: they are in no
   * window any more, and a version that gets no traffic (one that left the table) should not keep
   * them. A slot that gets traffic again allocates a new one.
   */
  void release(long current) {
    for (int pos = 0; pos < slotNumber.length; pos++) {
      if (slotNumber[pos] <= current - slotNumber.length) {
        histograms[pos] = null;
      }
    }
  }

  /** How many slots hold a histogram now. */
  int histograms() {
    int n = 0;
    for (IntCountsHistogram h : histograms) {
      n += h == null ? 0 : 1;
    }
    return n;
  }

  /** Sums slots {@code last - count + 1 .. last} into {@code latency} and {@code sums}. */
  void sum(long last, int count, Histogram latency, long[] sums) {
    for (long slot = Math.max(0, last - count + 1); slot <= last; slot++) {
      int pos = (int) (slot % slotNumber.length);
      if (slotNumber[pos] != slot) {
        continue;
      }
      if (histograms[pos] != null) {
        latency.add(histograms[pos]);
      }
      for (int i = 0; i < COUNTERS; i++) {
        sums[i] += counters[pos][i];
      }
    }
  }
}
