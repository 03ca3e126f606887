package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.BuiltinMetric;
import dev.sluice.core.analysis.MannWhitneyJudge;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.server.flags.FlagEditException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * The plan of a guarded rollout ({@link FlagRollouts.Plan}): the checks that need no flag, the
 * analysis it runs, the weights of each step, and its stored form (JSON in {@link
 * dev.sluice.store.FlagRolloutRecord#plan}).
 */
final class RolloutPlans {
  private RolloutPlans() {}

  static void checkSteps(List<Integer> steps) {
    if (steps.isEmpty()) {
      throw invalid("steps", "[]", "weights in percent, increasing, e.g. 5,25,50,100");
    }
    int last = 0;
    for (int w : steps) {
      if (w < 1 || w > 100 || w <= last) {
        throw invalid(
            "steps", steps.toString(), "weights 1..100 in percent, each above the one before");
      }
      last = w;
    }
  }

  static AnalysisSpec analysis(FlagRollouts.Plan plan) {
    if (plan.metrics().isEmpty()) {
      throw invalid("analysis", "[]", "some of error_rate, latency_p50, latency_p90, ...");
    }
    List<MetricSpec> metrics = new ArrayList<>();
    for (String name : plan.metrics()) {
      BuiltinMetric m = BuiltinMetric.bySpecName(name);
      if (m == null || !m.hasSamples()) {
        throw invalid(
            "analysis",
            name,
            "error_rate, latency_p50, latency_p90, latency_p95 or latency_p99 (compared per"
                + " request with the other variants)");
      }
      if (metrics.stream().anyMatch(x -> x.name().equals(name))) {
        throw invalid("analysis", name, "each metric once");
      }
      // Critical: a variant that is worse on any one metric fails the measurement.
      metrics.add(
          MetricSpec.of(name, new MetricSpec.Builtin(m), MetricSpec.Conditions.NONE)
              .withCritical(true));
    }
    return new AnalysisSpec(
        plan.analysisInterval(),
        null,
        Duration.ZERO,
        plan.analysisInterval(),
        plan.failureLimit(),
        AnalysisSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT,
        null,
        plan.minRequests(),
        MannWhitneyJudge.DEFAULT_CONFIDENCE,
        AnalysisSpec.DEFAULT_PASS_SCORE,
        AnalysisSpec.DEFAULT_MARGINAL_SCORE,
        metrics);
  }

  static FlagEditException invalid(String field, String value, String expected) {
    return new FlagEditException(
        Kind.INVALID, field + ": " + value + " (expected: " + expected + ")");
  }

  static SequencedMap<String, Integer> weights(FlagRollouts.Plan plan, String control, int step) {
    int w = plan.steps().get(step);
    SequencedMap<String, Integer> weights = new LinkedHashMap<>();
    weights.put(plan.variant(), w);
    weights.put(control, 100 - w);
    return weights;
  }

  /** The stored form of a plan, with the app and control variant it was resolved to. */
  static ObjectNode toJson(FlagRollouts.Plan plan, String app, String control) {
    ObjectNode p = FlagEdits.MAPPER.createObjectNode();
    p.put("app", app).put("variant", plan.variant()).put("control", control);
    ArrayNode steps = p.putArray("steps");
    plan.steps().forEach(steps::add);
    p.put("stepDuration", plan.stepDuration().toString());
    ArrayNode metrics = p.putArray("metrics");
    plan.metrics().forEach(metrics::add);
    p.put("analysisInterval", plan.analysisInterval().toString())
        .put("minRequests", plan.minRequests())
        .put("failureLimit", plan.failureLimit());
    return p;
  }

  /**
   * A plan read back from {@link #toJson}.
   *
   * @throws RuntimeException when a field is missing or malformed
   */
  static FlagRollouts.Plan fromJson(String key, JsonNode p) {
    List<Integer> steps = new ArrayList<>();
    p.path("steps").forEach(n -> steps.add(n.intValue()));
    List<String> metrics = new ArrayList<>();
    p.path("metrics").forEach(n -> metrics.add(n.textValue()));
    return new FlagRollouts.Plan(
        key,
        p.path("app").asText(),
        p.path("variant").asText(),
        p.path("control").asText(),
        steps,
        Duration.parse(p.path("stepDuration").asText()),
        metrics,
        Duration.parse(p.path("analysisInterval").asText()),
        p.path("minRequests").asLong(),
        p.path("failureLimit").asInt());
  }

  static JsonNode json(String text) {
    try {
      return FlagEdits.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  static String text(JsonNode json) {
    try {
      return FlagEdits.MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON always serializes", e);
    }
  }
}
