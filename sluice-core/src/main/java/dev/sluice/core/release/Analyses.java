package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.AnalysisMeasured;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** What strategies share about a release's analysis runs. */
final class Analyses {
  private Analyses() {}

  /** Records every measurement that arrived for a running run of the release. */
  static List<Event> record(Release r, Observations observed) {
    List<Event> out = new ArrayList<>();
    for (Map.Entry<String, AnalysisRun> e : new TreeMap<>(r.runs()).entrySet()) {
      AnalysisRun run = e.getValue();
      if (run.status().done()) {
        continue;
      }
      int n = run.measurements() + 1;
      AnalysisResult result =
          observed.measured().get(Observations.measurementKey(r.revision(), e.getKey(), n));
      if (result != null) {
        out.add(new AnalysisMeasured(e.getKey(), n, result));
      }
    }
    return out;
  }

  /** The analysis run of the latest rolling batch, or null. */
  static @Nullable AnalysisRun latestBatch(Release r) {
    int best = 0;
    AnalysisRun run = null;
    for (Map.Entry<String, AnalysisRun> e : r.runs().entrySet()) {
      if (e.getKey().startsWith("batch-")) {
        int n = Integer.parseInt(e.getKey().substring(6));
        if (n > best) {
          best = n;
          run = e.getValue();
        }
      }
    }
    return run;
  }

  /** A run that has said enough to go on: successful, or (without a count) passed once. */
  static boolean passed(AnalysisRun run) {
    return run.status() == AnalysisRun.Status.SUCCESSFUL
        || (run.status() == AnalysisRun.Status.RUNNING
            && run.spec().count() == null
            && run.passed() > 0);
  }

  static boolean failed(AnalysisRun run) {
    return run.status() == AnalysisRun.Status.FAILED || run.status() == AnalysisRun.Status.ERROR;
  }
}
