package dev.sluice.server.analysis;

import dev.sluice.core.analysis.BuiltinMetric;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Reading;
import dev.sluice.core.analysis.Sample;
import dev.sluice.core.spec.Durations;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.shadow.ShadowWindow;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jspecify.annotations.Nullable;

/**
 * The router's own per-version windows: request rate, 5xx share, latency percentiles and upstream
 * failures, with per-request samples for the judge (the latency histogram's values and counts, or
 * the 5xx answers as 0/1 outcomes).
 */
final class BuiltinProvider implements MetricProvider {

  @Override
  public Reading read(MetricSpec metric, Target t) {
    BuiltinMetric m = ((MetricSpec.Builtin) metric.provider()).metric();
    if (m == BuiltinMetric.DIFF_RATE) {
      ShadowWindow s = t.shadow();
      if (s == null || s.compared() == 0) {
        return Reading.noData(
            "no shadow answer was compared in the last " + Durations.format(t.window()));
      }
      return Reading.of(s.diffRate()).withObservations(s.compared());
    }
    WindowSnapshot canary = t.canaryTraffic();
    WindowSnapshot baseline = t.baselineTraffic();
    String window = Durations.format(t.window());
    Double canaryValue = value(m, canary, t);
    if (canaryValue == null) {
      return Reading.noData("canary served no requests in the last " + window);
    }
    String note = "";
    boolean baselineCounts = false;
    if (baseline == null) {
      note = "no stable version to compare with";
    } else if (baseline.requests() < Math.max(1, t.minRequests())) {
      note =
          "baseline served "
              + baseline.requests()
              + (baseline.requests() == 1 ? " request" : " requests")
              + " in the last "
              + window
              + (t.minRequests() > 1 ? ", fewer than minRequests " + t.minRequests() : "");
    } else {
      baselineCounts = true;
    }
    Reading r =
        Reading.of(canaryValue, baselineCounts ? value(m, baseline, t) : null).withNote(note);
    if (metric.judge() && baselineCounts) {
      r = r.withSamples(sample(m, baseline), sample(m, canary));
    }
    return r;
  }

  /** The metric's value for one version; null when it is undefined without requests. */
  private static @Nullable Double value(BuiltinMetric m, WindowSnapshot w, Target t) {
    double seconds = t.window().toNanos() / 1e9;
    return switch (m) {
      case REQUEST_RATE -> w.requests() / seconds;
      case UPSTREAM_FAILURES -> (double) w.upstreamFailures();
      case DIFF_RATE -> null; // read from the shadow comparisons in read()
      case ERROR_RATE -> w.requests() == 0 ? null : w.errorShare();
      default ->
          w.latency().getTotalCount() == 0
              ? null
              : w.latency().getValueAtPercentile(m.percentile()) / 1000.0;
    };
  }

  private static Sample sample(BuiltinMetric m, WindowSnapshot w) {
    Sample.Builder b = Sample.builder();
    if (m == BuiltinMetric.ERROR_RATE) {
      long errors = w.counts().serverError();
      return b.add(0, Math.max(0, w.requests() - errors)).add(1, errors).build();
    }
    Histogram h = w.latency();
    for (HistogramIterationValue v : h.recordedValues()) {
      b.add(v.getValueIteratedTo() / 1000.0, v.getCountAtValueIteratedTo());
    }
    return b.build();
  }
}
