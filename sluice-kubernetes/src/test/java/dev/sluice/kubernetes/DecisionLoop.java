package dev.sluice.kubernetes;

import dev.sluice.core.event.Event;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.Decider;
import dev.sluice.core.release.Observations;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.runtime.platform.Platform;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's loop without its store, for one app: every 50 ms on one thread it observes the
 * platform's health, lets the pure strategies decide ({@link Decider#settle}), applies the events
 * and reconciles the platform, as {@code dev.sluice.server.control.Controller} does. The tests in
 * sluice-server drive the platform through the real controller; these check the platform alone.
 */
final class DecisionLoop implements AutoCloseable {
  private final AppSpec spec;
  private final KubernetesPlatform platform;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private volatile AppState state;
  private volatile RuntimeException failure;

  private DecisionLoop(AppSpec spec, KubernetesPlatform platform) {
    this.spec = spec;
    this.platform = platform;
    this.state = AppState.empty(spec.name());
  }

  /** Registers the app's spec (YAML with one app) with a new platform and starts deciding. */
  static DecisionLoop start(KubernetesClient client, String yaml) throws SpecException {
    AppSpec spec = SpecParser.parse(yaml, "sluice.yaml").apps().get(0);
    KubernetesPlatform platform =
        KubernetesPlatform.create(
            client,
            (state, revision) -> spec,
            Clock.systemUTC(),
            new KubernetesPlatform.Options(
                java.time.Duration.ZERO, java.time.Duration.ofSeconds(30)));
    platform.register(spec);
    DecisionLoop loop = new DecisionLoop(spec, platform);
    loop.thread.scheduleWithFixedDelay(loop::tick, 0, 50, TimeUnit.MILLISECONDS);
    return loop;
  }

  private void tick() {
    try {
      Instant now = Instant.now();
      Observations seen =
          new Observations(
              platform.health(state), List.of(), java.util.Set.of(), java.util.Map.of());
      state =
          Decider.settle(
              state,
              seen,
              now,
              (before, evs) -> {
                events.addAll(evs);
                return before.applyAll(evs, now);
              });
      platform.reconcile(state);
    } catch (RuntimeException e) {
      failure = e;
    } catch (Exception e) {
      failure = new IllegalStateException(e);
    }
  }

  /** Runs a command on the loop's thread, as a person's command runs on the controller's. */
  void command(Callable<List<Event>> command) throws Exception {
    thread
        .submit(
            () -> {
              List<Event> evs = command.call();
              events.addAll(evs);
              state = state.applyAll(evs, Instant.now());
              tick();
              return null;
            })
        .get(10, TimeUnit.SECONDS);
  }

  void deploy(String version) throws Exception {
    command(() -> Commands.deploy(state, spec, version, false, "test"));
  }

  void promote() throws Exception {
    command(() -> Commands.promote(state, false, "test"));
  }

  AppState state() {
    if (failure != null) {
      throw failure;
    }
    return state;
  }

  Platform platform() {
    return platform;
  }

  List<String> events() {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.describe()));
    return out;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    platform.close();
  }
}
