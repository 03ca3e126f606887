package dev.sluice.server.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.ReleasePhase;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.server.api.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a release as the release page lists them, each {@code done}, {@code current}, {@code
 * ahead}, {@code skipped} or {@code stopped} (where a failed, rolled back or aborted release
 * ended).
 *
 * <p>A canary's steps are its spec's, then the promotion. Blue-green, rolling, experiment and
 * shadow releases have no steps in their spec, so their phases stand in for them, in the order the
 * strategy goes through them.
 */
final class Steps {
  private Steps() {}

  private record Step(String label, List<ReleasePhase> phases) {}

  static ArrayNode of(Release r) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    List<String> labels = new ArrayList<>();
    int current;
    if (r.spec().strategy() instanceof StrategySpec.Canary c) {
      c.steps().forEach(s -> labels.add(s.describe()));
      labels.add("promotion: " + r.version() + " at full size takes all traffic");
      current =
          switch (r.phase()) {
            case PRE_ROLLOUT, STARTING -> -1;
            case PRE_PROMOTION, PROMOTING, READY -> c.steps().size();
            default -> Math.min(r.step(), c.steps().size());
          };
    } else {
      List<Step> steps = phases(r);
      steps.forEach(s -> labels.add(s.label()));
      current = -1;
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i).phases().contains(r.phase())) {
          current = i;
        }
      }
      if (r.phase().isDone() && current < 0) {
        current = lastReached(r, steps);
      }
    }
    for (int i = 0; i < labels.size(); i++) {
      out.addObject().put("label", labels.get(i)).put("state", state(r, i, current, labels.size()));
    }
    return out;
  }

  private static String state(Release r, int i, int current, int count) {
    if (r.phase() == ReleasePhase.SUCCEEDED) {
      return r.skipSteps() && i < count - 1 ? "skipped" : "done";
    }
    if (r.skipSteps() && i < count - 1 && r.spec().strategy() instanceof StrategySpec.Canary) {
      return "skipped";
    }
    if (r.phase().isDone()) {
      if (i < current) {
        return "done";
      }
      return i == current ? "stopped" : "ahead";
    }
    if (i < current) {
      return "done";
    }
    return i == current ? "current" : "ahead";
  }

  /** Strategies without steps in their spec: the phases they go through, as steps. */
  private static List<Step> phases(Release r) {
    AppSpec spec = r.spec();
    String from = r.from() == null ? "" : " beside " + r.from();
    List<Step> steps = new ArrayList<>();
    if (!spec.hooks().preRollout().isEmpty()) {
      steps.add(new Step("preRollout hooks", List.of(ReleasePhase.PRE_ROLLOUT)));
    }
    if (spec.strategy() instanceof StrategySpec.BlueGreen bg) {
      steps.add(
          new Step(
              "start " + r.version() + from + ", every replica healthy",
              List.of(ReleasePhase.STARTING)));
      if (!spec.hooks().prePromotion().isEmpty()) {
        steps.add(new Step("prePromotion hooks", List.of(ReleasePhase.PRE_PROMOTION)));
      }
      if (!bg.autoPromote()) {
        steps.add(new Step("wait for promote", List.of(ReleasePhase.PAUSED)));
      }
      steps.add(new Step("switch all traffic to " + r.version(), List.of(ReleasePhase.READY)));
    } else if (spec.strategy() instanceof StrategySpec.Experiment e) {
      StringBuilder split = new StringBuilder();
      for (StrategySpec.Experiment.Arm arm : e.arms()) {
        split.append(split.isEmpty() ? "" : " / ").append(arm.version());
        split.append(' ').append(arm.weight()).append('%');
      }
      steps.add(
          new Step(
              "split users " + split + " for " + Durations.format(e.duration()) + ", compared",
              List.of(ReleasePhase.STARTING, ReleasePhase.STEPS)));
      steps.add(
          new Step(
              e.autoPromoteWinner()
                  ? "the winner, or a person's choice when none is significant"
                  : "a person's choice: sluice promote --version",
              List.of(ReleasePhase.PAUSED)));
      steps.add(
          new Step(
              "the chosen arm takes all traffic",
              List.of(ReleasePhase.READY, ReleasePhase.PROMOTING)));
    } else if (spec.strategy() instanceof StrategySpec.Shadow sh) {
      steps.add(
          new Step(
              "copies of "
                  + sh.percent()
                  + "% of requests to "
                  + r.version()
                  + (sh.compare() == null ? "" : ", answers compared")
                  + "; users see only the stable version",
              List.of(ReleasePhase.STARTING, ReleasePhase.STEPS, ReleasePhase.PAUSED)));
      steps.add(
          new Step(
              "go on as the next strategy", List.of(ReleasePhase.READY, ReleasePhase.PROMOTING)));
    } else {
      steps.add(
          new Step(
              "replace replicas batch by batch" + from,
              List.of(ReleasePhase.STARTING, ReleasePhase.STEPS, ReleasePhase.PAUSED)));
      if (!spec.hooks().prePromotion().isEmpty()) {
        steps.add(new Step("prePromotion hooks", List.of(ReleasePhase.PRE_PROMOTION)));
      }
      steps.add(
          new Step(
              "all traffic to " + r.version(),
              List.of(ReleasePhase.READY, ReleasePhase.PROMOTING)));
    }
    return steps;
  }

  /**
   * Where a finished release stopped: the last step whose phase it reached, judged by the hooks
   * that ran (a failed blue-green release stopped while starting unless its checks had run).
   */
  private static int lastReached(Release r, List<Step> steps) {
    int reached = 0;
    for (int i = 0; i < steps.size(); i++) {
      List<ReleasePhase> p = steps.get(i).phases();
      if (p.contains(ReleasePhase.PRE_ROLLOUT) && r.hookResults().containsKey("preRollout")) {
        reached = Math.min(i + 1, steps.size() - 1);
      }
      if (p.contains(ReleasePhase.PRE_PROMOTION) && r.hookResults().containsKey("prePromotion")) {
        reached = i;
      }
    }
    return reached;
  }
}
