package dev.sluice.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.ExperimentResult;
import dev.sluice.core.release.ReleaseResults;
import dev.sluice.core.release.ShadowResult;
import dev.sluice.core.spec.Durations;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowResults;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON of experiment and shadow results, the same in {@code GET /api/v1/apps/{app}} ({@code
 * sluice status}), its history ({@code sluice history}) and the dashboard. The numbers come from
 * the recorded analysis measurements ({@link ReleaseResults}); a shadow's sample diffs are the
 * router's most recent differing pairs of that version, which live in memory only.
 */
public final class ResultJson {
  /** How many differing pairs a shadow's status shows. */
  public static final int SAMPLES = 3;

  private final @Nullable ShadowResults shadows;

  /**
   * @param shadows the router's shadow comparisons, for sample diffs; null shows none
   */
  public ResultJson(@Nullable ShadowResults shadows) {
    this.shadows = shadows;
  }

  /**
   * Adds {@code experiment} or {@code shadow} to {@code release}, the JSON of {@code state}'s
   * current (or last) release, when it is an experiment or a shadow.
   */
  public void addTo(ObjectNode release, AppState state) {
    ReleaseResults.Entry e = ReleaseResults.of(state, 0);
    if (e == null) {
      return;
    }
    if (e.experiment() != null) {
      release.set("experiment", experiment(e.experiment()));
    }
    if (e.shadow() != null) {
      ObjectNode sh = shadow(e.shadow());
      ArrayNode samples = sh.putArray("samples");
      if (shadows != null) {
        for (ShadowDiff d : shadows.diffs(state.app())) {
          if (samples.size() < SAMPLES && d.shadowVersion().equals(e.shadow().version())) {
            samples.add(diff(d));
          }
        }
      }
      release.set("shadow", sh);
    }
  }

  /** The results of every experiment and shadow release in an app's whole log, oldest first. */
  public static ArrayNode history(String app, List<EventRecord> events) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (ReleaseResults.Entry e : ReleaseResults.replay(app, events)) {
      ObjectNode o = out.addObject();
      o.put("revision", e.revision());
      o.put("version", e.version());
      o.put("strategy", e.strategy());
      o.put("status", e.status());
      o.put("endSeq", e.endSeq());
      if (e.experiment() != null) {
        o.set("experiment", experiment(e.experiment()));
      }
      if (e.shadow() != null) {
        o.set("shadow", shadow(e.shadow()));
      }
    }
    return out;
  }

  static ObjectNode experiment(ExperimentResult r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("baseline", r.baseline());
    o.put("window", Durations.format(r.window()));
    o.put("better", r.better());
    o.put("winner", r.winner());
    o.put("chosenBy", r.chosenBy());
    ArrayNode arms = o.putArray("arms");
    for (ExperimentResult.Arm a : r.arms()) {
      ObjectNode an = arms.addObject();
      an.put("version", a.version());
      an.put("baseline", a.baseline());
      an.put("weight", a.weight());
      an.put("requests", a.requests());
      an.put("measurements", a.measurements());
      an.put("run", a.run());
      an.put("verdict", a.baseline() ? null : a.verdict().label());
      an.put("winner", a.version().equals(r.winner()));
      ArrayNode metrics = an.putArray("metrics");
      for (ExperimentResult.Metric m : a.metrics()) {
        metrics
            .addObject()
            .put("metric", m.metric())
            .put("unit", m.unit().name())
            .put("value", m.value())
            .put("baseline", m.baseline())
            .put("difference", m.difference())
            .put("relative", m.relative())
            .put("confidence", m.confidence())
            .put("p", m.p())
            .put("shiftLow", m.shiftLow())
            .put("shiftHigh", m.shiftHigh())
            .put("classification", m.classification().name())
            .put("verdict", m.verdict().label())
            .put("reason", m.reason())
            .put("description", m.describe());
      }
    }
    return o;
  }

  static ObjectNode shadow(ShadowResult r) {
    return Json.MAPPER
        .createObjectNode()
        .put("version", r.version())
        .put("percent", r.percent())
        .put("metric", r.metric())
        .put("diffRate", r.diffRate())
        .put("compared", r.compared())
        .put("window", r.window() == null ? null : Durations.format(r.window()))
        .put("measurements", r.measurements())
        .put("run", r.run())
        .put("reason", r.reason());
  }

  /** One differing pair as {@code GET /api/v1/apps/{app}/shadow/diffs} lists it. */
  static ObjectNode diff(ShadowDiff d) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("at", d.at().toString());
    o.put("primaryVersion", d.primaryVersion());
    o.put("shadowVersion", d.shadowVersion());
    o.put("method", d.method());
    o.put("target", d.target());
    o.set("primary", response(d.primary()));
    o.set("shadow", response(d.shadow()));
    ArrayNode diffs = o.putArray("differences");
    d.differences().forEach(diffs::add);
    return o;
  }

  private static ObjectNode response(ShadowDiff.Response r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("status", r.status());
    ObjectNode headers = o.putObject("headers");
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      headers.put(h.getKey(), h.getValue());
    }
    o.put("body", r.bodyExcerpt());
    o.put("bodyBytes", r.bodyBytes());
    return o;
  }
}
