package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.RetryBudget;
import org.junit.jupiter.api.Test;

class RetryAllowanceTest {

  private static final long SECOND = 1L << 30;

  private static int retriesAllowed(RetryAllowance a, long at, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      n += a.tryRetry(at) ? 1 : 0;
    }
    return n;
  }

  @Test
  void retriesStayUnderThePercentOfTheRequestsPlusTheFloor() {
    RetryAllowance a = new RetryAllowance(new RetryBudget(20, 3), 1);
    long t = 100 * SECOND;
    for (int i = 0; i < 1000; i++) {
      a.request(t);
    }
    // 20 % of 1000, plus 3 per second over the 10 s window.
    assertThat(retriesAllowed(a, t, 1000)).isEqualTo(200 + 30);
  }

  @Test
  void theFloorIsSharedBetweenEventLoopsRoundedUp() {
    RetryAllowance a = new RetryAllowance(new RetryBudget(0, 3), 2);
    assertThat(retriesAllowed(a, 5 * SECOND, 100)).isEqualTo(2 * 10);
  }

  @Test
  void requestsAndRetriesOlderThanTheWindowNoLongerCount() {
    RetryAllowance a = new RetryAllowance(new RetryBudget(50, 0), 1);
    long t = 100 * SECOND;
    for (int i = 0; i < 100; i++) {
      a.request(t);
    }
    assertThat(retriesAllowed(a, t, 100)).isEqualTo(50);
    // Five seconds on: the same requests and retries are in the window; nothing more fits.
    assertThat(retriesAllowed(a, t + 5 * SECOND, 10)).isZero();
    // Ten seconds on, both fell out: with no new requests there is no budget.
    long later = t + 10 * SECOND;
    assertThat(retriesAllowed(a, later, 10)).isZero();
    for (int i = 0; i < 10; i++) {
      a.request(later);
    }
    assertThat(retriesAllowed(a, later, 10)).isEqualTo(5);
  }
}
