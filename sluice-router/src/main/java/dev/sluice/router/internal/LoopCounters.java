package dev.sluice.router.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters with one private row per event loop, so that the hot path counts with plain stores
 * instead of atomic instructions on cache lines that both cores fight over.
 *
 * <p>Only the thread of loop {@code i} writes row {@code i} (opaque stores keep the writes from
 * being optimised away); readers sum the rows with opaque loads, so a sum is a moment's
 * approximation, exact once the writers are quiet. Rows are 128 bytes apart (and the array starts
 * with an empty row) to keep loops off each other's cache lines.
 */
final class LoopCounters {

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int STRIDE = 16;

  private final int loops;
  private final long[] cells;

  LoopCounters(int loops, int fields) {
    if (fields > STRIDE) {
      throw new IllegalArgumentException("fields: " + fields + " (expected: at most 16)");
    }
    this.loops = loops;
    this.cells = new long[(loops + 2) * STRIDE];
  }

  /** Adds to a field of a loop's row. Call only on that loop's thread. */
  void add(int loop, int field, long delta) {
    int i = (loop + 1) * STRIDE + field;
    LONGS.setOpaque(cells, i, (long) LONGS.getOpaque(cells, i) + delta);
  }

  /** Returns the sum of a field over all loops. Any thread. */
  long sum(int field) {
    long s = 0;
    for (int l = 0; l < loops; l++) {
      s += (long) LONGS.getOpaque(cells, (l + 1) * STRIDE + field);
    }
    return s;
  }
}
