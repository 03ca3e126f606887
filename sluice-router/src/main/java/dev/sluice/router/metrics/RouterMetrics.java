package dev.sluice.router.metrics;

import java.io.IOException;
import java.time.Duration;

/**
 * The router's per-version metrics, keyed by app (the listener name) and version name.
 *
 * <p>Windows have 1-second resolution for the last 2 minutes and 10-second resolution up to 10
 * minutes. A window includes the current, partly elapsed second (or 10 seconds).
 */
public interface RouterMetrics {

  /** The longest window that can be asked for. */
  Duration MAX_WINDOW = Duration.ofMinutes(10);

  /**
   * Returns what a version did in the last {@code window} (1 s to 10 min); an empty snapshot for a
   * version that has served nothing.
   */
  WindowSnapshot window(String app, String version, Duration window);

  /**
   * Writes every metric in the Prometheus text exposition format (version 0.0.4): {@code
   * sluice_requests_total}, {@code sluice_upstream_failures_total}, {@code
   * sluice_requests_in_flight}, {@code sluice_request_duration_seconds} (histogram), {@code
   * sluice_upgrades_total}, {@code sluice_tunnels_open}, {@code sluice_tunnels_drained_total} and
   * {@code sluice_replica_healthy}.
   */
  void writePrometheus(Appendable out) throws IOException;
}
