package dev.sluice.core.spec;

import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.time.Duration;

/**
 * Reads an app's {@code upstream}: outlier detection, retries, the retry budget and the limits per
 * replica (see {@link UpstreamSpec}). Absent fields take their defaults.
 */
final class UpstreamReader {
  private static final int MAX_LIMIT = 1_000_000;

  private UpstreamReader() {}

  static UpstreamSpec upstream(YamlValue v) {
    UpstreamSpec d = UpstreamSpec.defaults();
    Fields f =
        v.fields(
            "a mapping with outlierDetection, maxRetries, retryBudget, maxConnectionsPerReplica,"
                + " maxPendingPerReplica",
            "outlierDetection",
            "maxRetries",
            "retryBudget",
            "maxConnectionsPerReplica",
            "maxPendingPerReplica");
    UpstreamSpec.OutlierDetection outliers =
        f.get("outlierDetection").map(UpstreamReader::outliers, d.outlierDetection());
    int retries = f.get("maxRetries").integer(0, 5, d.maxRetries());
    UpstreamSpec.RetryBudget budget =
        f.get("retryBudget").map(UpstreamReader::budget, d.retryBudget());
    int connections =
        f.get("maxConnectionsPerReplica").integer(0, MAX_LIMIT, d.maxConnectionsPerReplica());
    YamlValue pendingValue = f.get("maxPendingPerReplica");
    int pending = pendingValue.integer(0, MAX_LIMIT, d.maxPendingPerReplica());
    if (pending > 0 && connections == 0) {
      // Requests only wait for a replica at its connection limit: without one this does nothing.
      pendingValue.problem(
          Integer.toString(pending), "0 unless maxConnectionsPerReplica is set (above 0)");
    }
    return new UpstreamSpec(outliers, retries, budget, connections, pending);
  }

  private static UpstreamSpec.OutlierDetection outliers(YamlValue v) {
    UpstreamSpec.OutlierDetection d = UpstreamSpec.OutlierDetection.defaults();
    Fields f =
        v.fields(
            "a mapping with consecutiveFailures, baseEjection, maxEjectionPercent",
            "consecutiveFailures",
            "baseEjection",
            "maxEjectionPercent");
    return new UpstreamSpec.OutlierDetection(
        f.get("consecutiveFailures").integer(0, 1000, d.consecutiveFailures()),
        f.get("baseEjection")
            .duration(Duration.ofMillis(100), Duration.ofHours(1), d.baseEjection()),
        f.get("maxEjectionPercent").integer(0, 100, d.maxEjectionPercent()));
  }

  private static UpstreamSpec.RetryBudget budget(YamlValue v) {
    UpstreamSpec.RetryBudget d = UpstreamSpec.RetryBudget.defaults();
    Fields f = v.fields("a mapping with percent, minPerSecond", "percent", "minPerSecond");
    return new UpstreamSpec.RetryBudget(
        f.get("percent").integer(0, 100, d.percent()),
        f.get("minPerSecond").integer(0, 10_000, d.minPerSecond()));
  }
}
