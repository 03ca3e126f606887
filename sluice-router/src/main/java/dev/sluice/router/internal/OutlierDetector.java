package dev.sluice.router.internal;

import dev.sluice.router.OutlierDetection;
import dev.sluice.router.Ticker;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection of one listener (Envoy's {@code consecutive_5xx}): each answered or
 * failed request of a replica is reported; {@code consecutiveFailures} failures in a row eject the
 * replica for {@code baseEjection} times its number of ejections (capped at the greater of 300 s
 * and the base), as long as no more than {@code maxEjectionPercent} of its version's replicas are
 * ejected (but at least one may be). The number of ejections falls by one per {@code baseEjection}
 * spent without an ejection, so a replica that recovers starts short again.
 *
 * <p>A success costs one read of a field that stays in the replica's cache line (it is written only
 * when a failure streak ends); ejecting takes a lock shared by all listeners, which is rare.
 */
final class OutlierDetector {

  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);
  private static final Object LOCK = new Object();
  private static final long MAX_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(300);

  private final int threshold;
  private final long baseNanos;
  private final int maxPercent;
  private final Ticker ticker;

  OutlierDetector(OutlierDetection options, Ticker ticker) {
    this.threshold = options.consecutiveFailures();
    this.baseNanos = options.baseEjection().toNanos();
    this.maxPercent = options.maxEjectionPercent();
    this.ticker = ticker;
  }

  void succeeded(EndpointState e) {
    e.succeeded();
  }

  /** Counts a failure of {@code e} (a replica of {@code v}); may eject it. */
  void failed(EndpointState e, VersionEntry v, EventLoop loop, String what) {
    if (e.failed() >= threshold && !e.ejected) {
      eject(e, v, loop, what);
    }
  }

  private void eject(EndpointState e, VersionEntry v, EventLoop loop, String what) {
    long nanos;
    synchronized (LOCK) {
      if (e.ejected) {
        return;
      }
      int n = v.replicas.length;
      int ejected = 0;
      for (EndpointState r : v.replicas) {
        if (r.ejected) {
          ejected++;
        }
      }
      if (ejected > 0 && (ejected + 1) * 100L > (long) maxPercent * n) {
        return;
      }
      long now = ticker.nanos();
      if (e.ejections > 0) {
        long quiet = Math.max(0, now - e.lastEjectionEndNanos) / baseNanos;
        e.ejections = (int) Math.max(0, e.ejections - quiet);
      }
      e.ejections++;
      nanos = Math.min(baseNanos * e.ejections, Math.max(baseNanos, MAX_EJECTION_NANOS));
      e.lastEjectionEndNanos = now + nanos;
      e.ejected = true;
      e.succeeded();
    }
    log.info(
        "replica {} ejected for {} ms after {} failures in a row (last: {})",
        e.endpoint,
        TimeUnit.NANOSECONDS.toMillis(nanos),
        threshold,
        what);
    loop.schedule(
        () -> {
          e.ejected = false;
          log.info("replica {} back from ejection", e.endpoint);
        },
        nanos,
        TimeUnit.NANOSECONDS);
  }
}
