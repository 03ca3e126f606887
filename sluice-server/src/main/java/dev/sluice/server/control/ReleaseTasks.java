package dev.sluice.server.control;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.release.Observations;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.HookSpec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.server.analysis.Analyzer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow work a release asks for, started off the controller thread: hooks, canary gates and
 * analysis measurements. Each result comes back as an observation in the app's slot (on the
 * controller thread), and the app is stepped at once, so a failing measurement rolls back without
 * waiting for the next tick.
 *
 * <p>All of it is level-triggered from the state: after a restart, a phase whose hooks have no
 * recorded outcome runs them again, and a due measurement is taken again.
 */
final class ReleaseTasks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReleaseTasks.class);

  private final Executor controller;
  private final HookRunner hooks;
  private final Analyzer analyzer;
  private final Platform platform;
  private final HttpClient gates =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  ReleaseTasks(Executor controller, HookRunner hooks, Analyzer analyzer, Platform platform) {
    this.controller = controller;
    this.hooks = hooks;
    this.analyzer = analyzer;
    this.platform = platform;
  }

  /** Starts whatever is due for the app; {@code step} is called back when something finishes. */
  void start(AppSlot slot, Instant now, Consumer<AppSlot> step) {
    hooks(slot, step);
    gate(slot, now, step);
    measure(slot, now, step);
  }

  private void hooks(AppSlot slot, Consumer<AppSlot> step) {
    Release r = slot.state.release();
    String phase = r == null ? null : r.dueHooks();
    if (r == null || phase == null || !slot.hooksStarted.add(r.revision() + "/" + phase)) {
      return;
    }
    List<HookSpec> list =
        switch (phase) {
          case "preRollout" -> r.spec().hooks().preRollout();
          case "prePromotion" -> r.spec().hooks().prePromotion();
          case "postPromotion" -> r.spec().hooks().postPromotion();
          default -> r.spec().hooks().onRollback();
        };
    String target = platform.baseUrl(slot.state, r.version());
    log.info("{}: running {} hooks of release {}", slot.name, phase, r.revision());
    hooks
        .run(
            new HookRunner.Context(slot.name, r.revision(), phase, r.version(), r.from(), target),
            list)
        .whenComplete(
            (outcome, error) ->
                controller.execute(
                    () -> {
                      slot.hookOutcomes.add(
                          outcome != null
                              ? outcome
                              : new HookOutcome(r.revision(), phase, false, String.valueOf(error)));
                      step.accept(slot);
                    }));
  }

  /** Asks the URL of the canary gate the release waits at, every gate interval; a 200 opens it. */
  private void gate(AppSlot slot, Instant now, Consumer<AppSlot> step) {
    Release r = slot.state.active().orElse(null);
    if (r == null
        || !(r.spec().strategy() instanceof StrategySpec.Canary c)
        || r.step() >= c.steps().size()
        || !(c.steps().get(r.step()) instanceof StrategySpec.CanaryStep.Gate g)) {
      return;
    }
    String key = Observations.gateKey(r.revision(), r.step());
    Instant last = slot.gateAsked.get(key);
    if (slot.openGates.contains(key) || (last != null && now.isBefore(last.plus(g.interval())))) {
      return;
    }
    slot.gateAsked.put(key, now);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(g.url()))
            .timeout(Duration.ofSeconds(5))
            .header("User-Agent", "sluice-gate")
            .GET()
            .build();
    gates
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (response != null && response.statusCode() == 200) {
                controller.execute(
                    () -> {
                      log.info("{}: {} is open", slot.name, g.describe());
                      slot.openGates.add(key);
                      step.accept(slot);
                    });
              }
            });
  }

  /** Starts the measurements that are due for the active release's analysis runs. */
  private void measure(AppSlot slot, Instant now, Consumer<AppSlot> step) {
    Release r = slot.state.active().orElse(null);
    if (r == null) {
      slot.measured.clear();
      return;
    }
    slot.measured.keySet().removeIf(k -> !k.startsWith(r.revision() + "/") || recorded(r, k));
    for (Map.Entry<String, AnalysisRun> e : r.runs().entrySet()) {
      AnalysisRun run = e.getValue();
      String name = e.getKey();
      String running = r.revision() + "/" + name;
      String key = Observations.measurementKey(r.revision(), name, run.measurements() + 1);
      if (!run.due(now) || slot.measuring.contains(running) || slot.measured.containsKey(key)) {
        continue;
      }
      slot.measuring.add(running);
      analyzer
          .analyze(
              run.spec(), slot.name, slot.state.stableVersion(), r.version(), run.spec().window())
          .whenComplete(
              (result, error) ->
                  controller.execute(
                      () -> {
                        slot.measuring.remove(running);
                        if (result != null) {
                          slot.measured.put(key, result);
                        } else {
                          log.warn(
                              "{}: analysis {} could not measure: {}",
                              slot.name,
                              name,
                              error.toString());
                        }
                        step.accept(slot);
                      }));
    }
  }

  /** Whether the measurement {@code revision/run/n} is in the run already. */
  private static boolean recorded(Release r, String key) {
    String[] parts = key.split("/");
    AnalysisRun run = r.runs().get(parts[1]);
    return run == null || run.measurements() >= Integer.parseInt(parts[2]);
  }

  @Override
  public void close() {
    hooks.close();
    analyzer.close();
    gates.close();
  }
}
