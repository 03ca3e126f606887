package dev.sluice.router.internal;

import dev.sluice.router.OutlierDetection;
import dev.sluice.router.Ticker;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection of one listener, after Envoy's {@code consecutive_5xx} detection: every
 * answered or failed attempt on a replica is reported; {@code consecutiveFailures} failures in a
 * row eject the replica for {@code baseEjection} times its number of ejections (capped at the
 * greater of 300 s and the base, Envoy's default {@code max_ejection_time}).
 *
 * <p>The number of ejections falls by one for every {@code baseEjection} a replica spends back in
 * traffic, so a replica that recovers for good starts short again, while one that keeps failing is
 * kept out longer each time. A version never loses more than {@code maxEjectionPercent} of its
 * replicas to ejection (at least one may go when it has two or more, as in Envoy) and never its
 * last usable one: ejection is for a bad replica among good ones; a version that fails as a whole
 * is the analysis' and the health checks' business.
 *
 * <p>A success costs one read of a field of the replica (it is written only when a failure streak
 * ends). Ejecting takes a lock shared by all listeners (a replica may serve several), which is
 * rare. An ejection is logged once, and its end once.
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

  /**
   * Counts a failure of {@code e} (a replica of {@code v}); ejects it when that makes {@code
   * consecutiveFailures} in a row and its version can spare it. Call on {@code loop}.
   */
  void failed(EndpointState e, VersionEntry v, EventLoop loop, String what) {
    if (e.failed() >= threshold && !e.ejected) {
      eject(e, v, loop, what);
    }
  }

  /** Returns whether one more replica of a version of {@code n} may be ejected. */
  static boolean mayEject(int n, int ejected, int usable, int maxPercent) {
    if (usable <= 1) {
      return false;
    }
    long allowed = Math.max(1, (long) n * maxPercent / 100);
    return ejected < allowed;
  }

  private void eject(EndpointState e, VersionEntry v, EventLoop loop, String what) {
    long nanos;
    synchronized (LOCK) {
      if (e.ejected) {
        return;
      }
      int ejected = 0;
      int usable = 0;
      for (EndpointState r : v.replicas) {
        if (r.ejected) {
          ejected++;
        } else if (r.healthy) {
          usable++;
        }
      }
      if (!e.healthy || !mayEject(v.replicas.length, ejected, usable, maxPercent)) {
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
    v.metrics.ejected();
    log.warn(
        "replica {} of version {} ejected for {} ms after {} failures in a row (last: {})",
        e.endpoint,
        v.name,
        TimeUnit.NANOSECONDS.toMillis(nanos),
        threshold,
        what);
    loop.schedule(
        () -> {
          // Failures counted while out (requests that were in flight) do not carry over.
          e.succeeded();
          e.ejected = false;
          log.info("replica {} of version {} back in traffic after ejection", e.endpoint, v.name);
        },
        nanos,
        TimeUnit.NANOSECONDS);
  }
}
