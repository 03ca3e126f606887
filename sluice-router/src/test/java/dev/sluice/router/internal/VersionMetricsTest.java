package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.metrics.WindowSnapshot;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Sliding windows driven by a fake ticker, so seconds pass without waiting. */
class VersionMetricsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final VersionMetrics metrics = new VersionMetrics("shop", "v1", 2, now::get, now.get());

  /** Flushes as the router's 1-second tick does, then lets time pass. */
  private void advanceSeconds(long s) {
    metrics.flush();
    now.addAndGet(s * 1_000_000_000L);
  }

  @Test
  void aWindowCountsOnlyTheSecondsItCovers() {
    for (int i = 0; i < 10; i++) {
      metrics.started(0);
      metrics.completed(1, 200, 1_000);
    }
    advanceSeconds(1);
    for (int i = 0; i < 5; i++) {
      metrics.started(0);
      metrics.completed(1, 503, 50_000);
    }
    WindowSnapshot last1 = metrics.window(Duration.ofSeconds(1));
    assertThat(last1.requests()).isEqualTo(5);
    assertThat(last1.counts().serverError()).isEqualTo(5);
    assertThat(last1.errorShare()).isEqualTo(1.0);

    WindowSnapshot last2 = metrics.window(Duration.ofSeconds(2));
    assertThat(last2.requests()).isEqualTo(15);
    assertThat(last2.counts().success()).isEqualTo(10);
    assertThat(last2.errorShare()).isEqualTo(5.0 / 15);
    assertThat(last2.latency().getTotalCount()).isEqualTo(15);
    assertThat(last2.percentile(50).toNanos() / 1000).isBetween(990L, 1010L);
    assertThat(last2.percentile(99).toNanos() / 1000).isBetween(49_500L, 50_500L);

    advanceSeconds(5);
    assertThat(metrics.window(Duration.ofSeconds(5)).requests()).isZero();
    assertThat(metrics.window(Duration.ofSeconds(7)).requests()).isEqualTo(15);
  }

  @Test
  void windowsBeyondTwoMinutesUseTenSecondSlotsUpToTenMinutes() {
    metrics.started(0);
    metrics.completed(1, 200, 2_000);
    advanceSeconds(300);
    metrics.started(0);
    metrics.completed(1, 404, 3_000);
    assertThat(metrics.window(Duration.ofMinutes(2)).requests()).isEqualTo(1);
    WindowSnapshot tenMinutes = metrics.window(Duration.ofMinutes(10));
    assertThat(tenMinutes.requests()).isEqualTo(2);
    assertThat(tenMinutes.counts().clientError()).isEqualTo(1);
    advanceSeconds(600);
    assertThat(metrics.window(Duration.ofMinutes(10)).requests()).isZero();
  }

  @Test
  void aVersionIdleLongerThanTheLongestWindowFreesItsWindowsButKeepsItsTotals() {
    for (int s = 0; s < 30; s++) {
      metrics.started(0);
      metrics.completed(1, 200, 1_000 + s);
      advanceSeconds(1);
    }
    assertThat(metrics.windowHistograms()).isGreaterThanOrEqualTo(30);
    advanceSeconds(300);
    advanceSeconds(1);
    // five minutes idle: the ten-minute window still reads them
    assertThat(metrics.window(Duration.ofMinutes(10)).requests()).isEqualTo(30);
    assertThat(metrics.windowHistograms()).isGreaterThan(0);
    advanceSeconds(400);
    advanceSeconds(1);
    assertThat(metrics.windowHistograms()).isZero();
    assertThat(metrics.window(Duration.ofMinutes(10)).requests()).isZero();
    assertThat(metrics.buckets()[VersionMetrics.BUCKETS.length]).isEqualTo(30);
    // traffic again: the windows work as before
    metrics.started(0);
    metrics.completed(1, 503, 9_000);
    advanceSeconds(1);
    WindowSnapshot back = metrics.window(Duration.ofSeconds(5));
    assertThat(back.requests()).isEqualTo(1);
    assertThat(back.latency().getTotalCount()).isEqualTo(1);
    assertThat(metrics.windowHistograms()).isEqualTo(2);
  }

  @Test
  void inFlightAndBucketsFollowTheRequests() {
    metrics.started(0);
    metrics.started(0);
    assertThat(metrics.inFlight()).isEqualTo(2);
    metrics.completed(1, 200, 800); // 0.8 ms: in every bucket from le=0.001 up
    metrics.completed(1, 200, 7_000_000); // 7 s: only in le=10 and up
    assertThat(metrics.inFlight()).isZero();
    long[] buckets = metrics.buckets();
    assertThat(buckets[0]).isEqualTo(1);
    int le10 = java.util.Arrays.binarySearch(VersionMetrics.BUCKETS, 10.0);
    assertThat(buckets[le10 - 1]).isEqualTo(1);
    assertThat(buckets[le10]).isEqualTo(2);
    assertThat(buckets[VersionMetrics.BUCKETS.length]).isEqualTo(2);
    assertThat(metrics.sumSeconds()).isEqualTo(7.0008);
  }
}
