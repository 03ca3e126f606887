package dev.sluice.router.internal;

import dev.sluice.router.RetryBudget;

/**
 * The retry budget of one listener on one event loop: the requests and retries of the last 10 time
 * slots of 2^30 ns (about a second each), and whether one more retry fits. Confined to its loop, so
 * counting a request is a few plain stores.
 */
final class RetryAllowance {

  private static final int SLOTS = 10;

  private final int percent;
  private final int minPerSlot;
  private final long[] slot = new long[SLOTS];
  private final int[] requests = new int[SLOTS];
  private final int[] retries = new int[SLOTS];

  RetryAllowance(RetryBudget budget, int loops) {
    this.percent = budget.percent();
    this.minPerSlot = (budget.minPerSecond() + loops - 1) / loops;
    java.util.Arrays.fill(slot, -1);
  }

  private int index(long nanos) {
    long s = nanos >>> 30;
    int i = (int) (s % SLOTS);
    if (slot[i] != s) {
      slot[i] = s;
      requests[i] = 0;
      retries[i] = 0;
    }
    return i;
  }

  /** Counts a request that starts now. */
  void request(long nanos) {
    requests[index(nanos)]++;
  }

  /** Takes one retry from the budget; returns false when the budget is spent. */
  boolean tryRetry(long nanos) {
    int now = index(nanos);
    long s = nanos >>> 30;
    long req = 0;
    long ret = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slot[i] > s - SLOTS) {
        req += requests[i];
        ret += retries[i];
      }
    }
    if (ret * 100 >= req * percent + (long) minPerSlot * SLOTS * 100) {
      return false;
    }
    retries[now]++;
    return true;
  }
}
