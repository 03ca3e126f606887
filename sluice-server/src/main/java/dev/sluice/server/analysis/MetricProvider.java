package dev.sluice.server.analysis;

import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Reading;

/**
 * A source of one kind of metric. It reads one metric for a measurement: the canary's value, the
 * baseline's when the metric's conditions compare with it, and per-request samples when the judge
 * runs.
 *
 * <p>Implementations block (they run on their own virtual thread, with a timeout around them) and
 * throw when they cannot measure; the exception's message becomes the measurement's error, so it
 * should say what failed for a person ({@link MetricException}). "No data" is not an error: return
 * {@link Reading#noData}.
 */
public interface MetricProvider {

  /**
   * Reads {@code metric}, whose provider is of the kind this provider serves.
   *
   * @throws Exception when the metric cannot be measured
   */
  Reading read(MetricSpec metric, Target target) throws Exception;
}
