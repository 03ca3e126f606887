package dev.sluice.server.control;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.CommandException;
import dev.sluice.core.release.Decider;
import dev.sluice.core.release.Observations;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HookSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Router;
import dev.sluice.runtime.process.ProcessSupervisor;
import dev.sluice.runtime.process.ProcessTemplate;
import dev.sluice.runtime.process.ReplicaAdoptionException;
import dev.sluice.runtime.process.ReplicaEvent;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Store;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller: on one thread, every {@link #TICK} and after every command, it observes each app,
 * asks the pure {@link Decider} for the next events, appends them to the store, and only then makes
 * the runtime and the router match (write ahead, then act).
 *
 * <p>Commands from the API run on the same thread, so nothing here needs a lock. A store that
 * cannot be written stops decisions (the routing stays as it was) until it can again.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);
  static final Duration TICK = Duration.ofMillis(100);

  private final Store store;
  private final Router router;
  private final ProcessSupervisor supervisor;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Templates templates;
  private final Reconciler reconciler;
  private final HookRunner hooks;
  private final Analyzer analyzer;
  private final java.net.http.HttpClient gates =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private final Map<String, AppSlot> apps = new LinkedHashMap<>();
  private final List<Consumer<EventRecord>> subscribers = new CopyOnWriteArrayList<>();
  private volatile @Nullable String storeProblem;

  /**
   * Builds the controller, binds each app's listeners and re-adopts the replicas a previous run
   * left; {@link #start} begins deciding.
   *
   * @throws java.io.UncheckedIOException when a listen address cannot be bound
   */
  public Controller(
      Spec spec,
      Path baseDir,
      Path logDir,
      Store store,
      Router router,
      ProcessSupervisor supervisor,
      Clock clock) {
    this.store = store;
    this.router = router;
    this.supervisor = supervisor;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-controller");
              t.setDaemon(true);
              return t;
            });
    this.templates = new Templates(store, baseDir);
    this.reconciler = new Reconciler(router, supervisor, templates, thread);
    this.hooks = new HookRunner(logDir, baseDir);
    this.analyzer = Analyzer.create(router.metrics(), baseDir);
    List<Listener> bound = new ArrayList<>();
    try {
      for (AppSpec app : spec.apps()) {
        AppState state = AppState.replay(app.name(), store.events(app.name()));
        Listener main = router.listen(options(app, app.listen()));
        bound.add(main);
        Listener preview = null;
        if (app.strategy() instanceof StrategySpec.BlueGreen bg && bg.previewListen() != null) {
          preview = router.listen(options(app, bg.previewListen()));
          bound.add(preview);
        }
        apps.put(app.name(), new AppSlot(app, state, main, preview));
      }
    } catch (RuntimeException e) {
      bound.forEach(Listener::close);
      thread.shutdownNow();
      throw e;
    }
  }

  private static ListenerOptions options(AppSpec app, HostPort at) {
    return ListenerOptions.of(app.name(), new InetSocketAddress(at.host(), at.port()))
        .withConnectTimeout(app.timeouts().connect())
        .withRequestTimeout(app.timeouts().request())
        .withIdleTimeout(app.timeouts().idle());
  }

  /** Adopts surviving replicas, then starts deciding every {@link #TICK}. */
  public void start() {
    run(this::adoptSurvivors).join();
    thread.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Receives every replica event of the supervisor; hand it over from its thread to ours. */
  public void onReplicaEvent(ReplicaEvent event) {
    if (event instanceof ReplicaEvent.Exited exited && !exited.expected()) {
      var r = exited.replica();
      router
          .health()
          .markDown(
              new dev.sluice.router.Endpoint(r.id(), r.host(), r.port()),
              "process exited"
                  + (exited.exitCode().isPresent() ? " with " + exited.exitCode().getAsInt() : ""));
    }
    Runnable record =
        () -> {
          try {
            var r = event.replica();
            if (event instanceof ReplicaEvent.Started) {
              store.putInstance(
                  new InstanceRecord(
                      r.app(),
                      r.version(),
                      r.index(),
                      r.pid(),
                      r.port(),
                      r.startInstant() == null ? clock.instant() : r.startInstant()));
            } else if (event instanceof ReplicaEvent.Exited x && x.expected()) {
              store.removeInstance(r.app(), r.version(), r.index());
            }
          } catch (RuntimeException e) {
            log.warn("cannot record replica {}: {}", event.replica().id(), e.getMessage());
          }
        };
    try {
      thread.execute(record);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      record.run(); // stopping: the supervisor stops the replicas after the controller thread
    }
  }

  /** Runs {@code action} on the controller thread. */
  private CompletableFuture<Void> run(Runnable action) {
    return CompletableFuture.runAsync(action, thread);
  }

  private void adoptSurvivors() {
    for (InstanceRecord i : store.instances()) {
      AppSlot slot = apps.get(i.app());
      VersionState v = slot == null ? null : slot.state.versions().get(i.version());
      ProcessTemplate t =
          v == null ? null : templates.process(templates.specOf(slot.state, v.revision()));
      if (t == null || i.index() >= v.replicas()) {
        store.removeInstance(i.app(), i.version(), i.index());
        killOrphan(i);
        continue;
      }
      try {
        supervisor.adopt(i.app(), i.version(), i.index(), t, i.pid(), i.startedAt(), i.port());
        log.info("adopted replica {}/{}/{} (pid {})", i.app(), i.version(), i.index(), i.pid());
      } catch (ReplicaAdoptionException e) {
        log.info("replica {}/{}/{} is gone: {}", i.app(), i.version(), i.index(), e.getMessage());
        store.removeInstance(i.app(), i.version(), i.index());
      }
    }
  }

  /** A replica left by a previous run that nothing wants any more: stop it if it is still ours. */
  private void killOrphan(InstanceRecord i) {
    ProcessHandle.of(i.pid())
        .filter(
            p ->
                p.info()
                    .startInstant()
                    .map(s -> s.toEpochMilli() == i.startedAt().toEpochMilli())
                    .orElse(false))
        .ifPresent(
            p -> {
              log.info(
                  "stopping leftover replica {}/{}/{} (pid {})",
                  i.app(),
                  i.version(),
                  i.index(),
                  i.pid());
              p.descendants().forEach(ProcessHandle::destroy);
              p.destroy();
            });
  }

  private void tickSafely() {
    for (AppSlot slot : apps.values()) {
      try {
        step(slot);
      } catch (RuntimeException e) {
        log.error("{}: controller step failed: {}", slot.name, e.toString(), e);
      }
    }
  }

  /** Observe, decide, append, act, for one app. */
  private void step(AppSlot slot) {
    Instant now = clock.instant();
    startDueHooks(slot);
    askGate(slot, now);
    measure(slot, now);
    Observations observed = reconciler.observe(slot);
    try {
      slot.state =
          Decider.settle(
              slot.state, observed, now, (before, events) -> append(slot, before, events, now));
      storeProblem = null;
    } catch (dev.sluice.store.StoreException e) {
      if (storeProblem == null) {
        log.error("the store failed; decisions wait until it works again: {}", e.getMessage());
      }
      storeProblem = e.getMessage();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    reconciler.reconcile(slot);
  }

  private AppState append(AppSlot slot, AppState before, List<Event> events, Instant now) {
    List<EventRecord> records = before.next(events, now);
    AppState after = before;
    for (EventRecord r : records) {
      after = after.apply(r);
    }
    store.append(records, after.release());
    for (EventRecord r : records) {
      log.info("{} #{}: {}", r.app(), r.seq(), r.event().describe());
      for (Consumer<EventRecord> s : subscribers) {
        s.accept(r);
      }
    }
    return after;
  }

  private void startDueHooks(AppSlot slot) {
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
    String target = targetOf(slot, r.version());
    log.info("{}: running {} hooks of release {}", slot.name, phase, r.revision());
    hooks
        .run(
            new HookRunner.Context(slot.name, r.revision(), phase, r.version(), r.from(), target),
            list)
        .whenComplete(
            (outcome, error) ->
                thread.execute(
                    () -> {
                      HookOutcome o =
                          outcome != null
                              ? outcome
                              : new HookOutcome(r.revision(), phase, false, String.valueOf(error));
                      slot.hookOutcomes.add(o);
                      step(slot);
                    }));
  }

  /**
   * Asks the URL of the canary gate the release waits at, every gate interval; a 200 opens it (an
   * observation, which the strategy turns into the next step).
   */
  private void askGate(AppSlot slot, Instant now) {
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
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(g.url()))
            .timeout(Duration.ofSeconds(5))
            .header("User-Agent", "sluice-gate")
            .GET()
            .build();
    gates
        .sendAsync(request, java.net.http.HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (response != null && response.statusCode() == 200) {
                thread.execute(
                    () -> {
                      log.info("{}: gate {} is open", slot.name, g.url());
                      slot.openGates.add(key);
                      step(slot);
                    });
              }
            });
  }

  /**
   * Starts the measurements that are due for the active release's analysis runs (off this thread);
   * each result becomes an observation, recorded by the strategy as an event.
   */
  private void measure(AppSlot slot, Instant now) {
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
                  thread.execute(
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
                        step(slot);
                      }));
    }
  }

  /** Whether the measurement {@code revision/run/n} is in the run already. */
  private static boolean recorded(Release r, String key) {
    String[] parts = key.split("/");
    AnalysisRun run = r.runs().get(parts[1]);
    return run == null || run.measurements() >= Integer.parseInt(parts[2]);
  }

  /** The base URL hooks use to reach a version: its preview address, else its first replica. */
  private @Nullable String targetOf(AppSlot slot, String version) {
    if (slot.preview != null) {
      InetSocketAddress a = slot.preview.address();
      return "http://" + HostPort.parse(a.getHostString() + ":" + a.getPort());
    }
    return supervisor.replicas(slot.name, version).stream()
        .findFirst()
        .map(r -> "http://" + r.host() + ":" + r.port())
        .orElse(null);
  }

  /**
   * A command from a person, run on the controller thread: {@code command} computes the events from
   * the app's state (or refuses with a {@link CommandException}); they are appended and acted on
   * before the future completes with the new state.
   */
  public CompletableFuture<AppState> command(String app, Command command) {
    CompletableFuture<AppState> result = new CompletableFuture<>();
    thread.execute(
        () -> {
          AppSlot slot = apps.get(app);
          try {
            if (slot == null) {
              throw new CommandException(CommandException.Kind.NOT_FOUND, "no app named " + app);
            }
            if (storeProblem != null) {
              throw new CommandException(
                  CommandException.Kind.CONFLICT,
                  "the store is failing, so no decision can be recorded: " + storeProblem);
            }
            List<Event> events = command.events(slot.state, slot.spec);
            slot.state = append(slot, slot.state, events, clock.instant());
            step(slot);
            result.complete(slot.state);
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return result;
  }

  /** Turns an app's state and current spec into the events of a command. */
  @FunctionalInterface
  public interface Command {
    List<Event> events(AppState state, AppSpec spec) throws CommandException;
  }

  /**
   * Takes a newly read spec file for the next deploys. An app whose addresses changed keeps its old
   * spec (its listeners are bound): the result names it, as {@code app: why}.
   */
  public CompletableFuture<List<String>> updateSpecs(Spec spec) {
    return CompletableFuture.supplyAsync(
        () -> {
          List<String> refused = new ArrayList<>();
          for (AppSpec a : spec.apps()) {
            AppSlot slot = apps.get(a.name());
            if (slot == null) {
              continue;
            }
            HostPort was = slot.spec.listen();
            HostPort preview = previewOf(slot.spec);
            if (!a.listen().equals(was) || !java.util.Objects.equals(previewOf(a), preview)) {
              refused.add(
                  a.name()
                      + ": its listen or previewListen address changed in the spec file; restart"
                      + " 'sluice up' to apply that");
            } else {
              slot.spec = a;
            }
          }
          return refused;
        },
        thread);
  }

  private static @Nullable HostPort previewOf(AppSpec app) {
    return app.strategy() instanceof StrategySpec.BlueGreen bg ? bg.previewListen() : null;
  }

  /** Calls {@code subscriber} with every event appended from now on (on the controller thread). */
  public Runnable subscribe(Consumer<EventRecord> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /** The apps, in spec order. */
  public Collection<String> apps() {
    return List.copyOf(apps.keySet());
  }

  /** A view of one app for the API; null when there is no such app. */
  public @Nullable AppView view(String app) {
    AppSlot slot = apps.get(app);
    return slot == null ? null : new AppView(slot, reconciler.observe(slot), supervisor, router);
  }

  /** An app's current spec (what the next deploy uses); null when there is no such app. */
  public @Nullable AppSpec spec(String app) {
    AppSlot slot = apps.get(app);
    return slot == null ? null : slot.spec;
  }

  /** Why the store is failing, or null when it works. */
  public @Nullable String storeProblem() {
    return storeProblem;
  }

  public Store store() {
    return store;
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    hooks.close();
    analyzer.close();
    for (AppSlot slot : apps.values()) {
      slot.listener.close();
      if (slot.preview != null) {
        slot.preview.close();
      }
    }
  }
}
