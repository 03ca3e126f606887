package dev.sluice.server.control;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.CommandException;
import dev.sluice.core.release.Decider;
import dev.sluice.core.release.Observations;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.SpecResolver;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller: on one thread, every {@link #TICK} and after every command or finished task, it
 * observes each app, asks the pure {@link Decider} for the next events, appends them to the store,
 * and only then makes the {@link Platform} match (write ahead, then act).
 *
 * <p>Commands from the API run on the same thread, so nothing here needs a lock. A store that
 * cannot be written stops decisions (the routing stays as it was) until it can again.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);
  static final Duration TICK = Duration.ofMillis(100);

  private final Store store;
  private final Platform platform;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Templates templates;
  private final ReleaseTasks tasks;
  private final Map<String, AppSlot> apps = new LinkedHashMap<>();
  private final List<Consumer<EventRecord>> subscribers = new CopyOnWriteArrayList<>();
  private volatile @Nullable String storeProblem;
  private final Leadership leadership;
  private boolean leading;
  private int followerTicks;

  /**
   * What the controller works with.
   *
   * @param baseDir the spec file's directory: hooks and analysis commands run there
   * @param logDir where hook output goes
   * @param leadership whether this instance decides (only the leader of several does)
   */
  public record Parts(
      Store store,
      Path baseDir,
      Path logDir,
      Analyzer analyzer,
      Clock clock,
      Leadership leadership) {
    /** The parts of a single instance, which always leads. */
    public Parts(Store store, Path baseDir, Path logDir, Analyzer analyzer, Clock clock) {
      this(store, baseDir, logDir, analyzer, clock, Leadership.ALWAYS);
    }
  }

  /**
   * Builds the controller and registers each app with the platform (binding its listeners); {@link
   * #start} adopts what a previous run left and begins deciding.
   *
   * @param platform made from the controller's {@link SpecResolver} and run on its thread
   * @throws java.io.UncheckedIOException when a listen address cannot be bound
   */
  public Controller(Spec spec, Parts parts, PlatformFactory platform) {
    this.store = parts.store();
    this.clock = parts.clock();
    this.leadership = parts.leadership();
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-controller");
              t.setDaemon(true);
              return t;
            });
    this.templates = new Templates(store, parts.baseDir());
    this.platform = platform.create(templates, thread);
    this.tasks =
        new ReleaseTasks(
            thread,
            new HookRunner(parts.logDir(), parts.baseDir()),
            parts.analyzer(),
            this.platform);
    try {
      for (AppSpec app : spec.apps()) {
        AppState state = AppState.replay(app.name(), store.events(app.name()));
        this.platform.register(app);
        apps.put(app.name(), new AppSlot(app, state));
      }
    } catch (RuntimeException e) {
      this.platform.close();
      thread.shutdownNow();
      throw e;
    }
  }

  /** Makes the platform, given how to find a release's spec and the controller's thread. */
  @FunctionalInterface
  public interface PlatformFactory {
    Platform create(SpecResolver specs, Executor controllerThread);
  }

  /** Adopts surviving replicas, then starts deciding every {@link #TICK}. */
  public void start() {
    CompletableFuture.runAsync(
            () -> {
              leading = leadership.isLeader();
              if (leading) {
                platform.adopt(apps.values().stream().map(s -> s.state).toList());
              }
            },
            thread)
        .join();
    thread.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    if (!lead()) {
      return;
    }
    for (AppSlot slot : apps.values()) {
      try {
        step(slot);
      } catch (RuntimeException e) {
        log.error("{}: controller step failed: {}", slot.name, e.toString(), e);
      }
    }
  }

  /**
   * Whether this instance decides now. A follower does nothing but re-read the log now and then
   * (for the API); one that just became leader re-reads it and adopts what runs before deciding, as
   * a restarted daemon does, since the previous leader appended to the log.
   */
  private boolean lead() {
    boolean now;
    try {
      now = leadership.isLeader();
    } catch (RuntimeException e) {
      now = false;
    }
    if (!now) {
      if (leading) {
        log.warn("this instance no longer leads: decisions stop (leader: {})", leadership.leader());
      }
      leading = false;
      if (followerTicks++ % 20 == 0) {
        reload();
      }
      return false;
    }
    if (!leading) {
      log.info("this instance leads: reading the event log and deciding");
      reload();
      platform.adopt(apps.values().stream().map(s -> s.state).toList());
      leading = true;
    }
    return true;
  }

  private void reload() {
    for (AppSlot slot : apps.values()) {
      try {
        slot.state = AppState.replay(slot.name, store.events(slot.name));
      } catch (RuntimeException e) {
        log.warn("{}: cannot read the event log: {}", slot.name, e.getMessage());
      }
    }
  }

  /** Observe, decide, append, act, for one app. */
  private void step(AppSlot slot) {
    Instant now = clock.instant();
    tasks.start(slot, now, this::step);
    Observations observed =
        new Observations(
            platform.health(slot.state), slot.hookOutcomes, slot.openGates, slot.measured);
    try {
      slot.state =
          Decider.settle(
              slot.state, observed, now, (before, events) -> append(slot, before, events, now));
      storeProblem = null;
    } catch (StoreException e) {
      if (storeProblem == null) {
        log.error("the store failed; decisions wait until it works again: {}", e.getMessage());
      }
      storeProblem = e.getMessage();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    platform.reconcile(slot.state);
  }

  private AppState append(AppSlot slot, AppState before, List<Event> events, Instant now) {
    List<EventRecord> records = before.next(events, now);
    AppState after = before;
    List<Release> touched = new ArrayList<>();
    for (EventRecord r : records) {
      Release was = after.release();
      after = after.apply(r);
      if (was != null && after.release() != null && was.revision() != after.release().revision()) {
        touched.add(was); // ended by this batch (replaced by a deploy --force, or continued)
      }
    }
    if (after.release() != null) {
      touched.add(after.release());
    }
    store.appendProjecting(records, touched);
    for (EventRecord r : records) {
      log.info("{} #{}: {}", r.app(), r.seq(), r.event().describe());
      for (Consumer<EventRecord> s : subscribers) {
        s.accept(r);
      }
    }
    return after;
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
            if (!lead()) {
              String leader = leadership.leader();
              throw new CommandException(
                  CommandException.Kind.CONFLICT,
                  "this Sluice instance is a follower"
                      + (leader == null ? "" : "; " + leader + " leads")
                      + ": send commands to the leader");
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
            if (!a.listen().equals(slot.spec.listen())
                || !Objects.equals(previewOf(a), previewOf(slot.spec))) {
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
    return slot == null ? null : AppView.of(slot.state, platform);
  }

  /** An app's current spec (what the next deploy uses); null when there is no such app. */
  public @Nullable AppSpec spec(String app) {
    AppSlot slot = apps.get(app);
    return slot == null ? null : slot.spec;
  }

  /**
   * Why the store is failing, or null when it works: a decision that could not be recorded, or the
   * leadership's lease that could not be renewed (no decision may be due, as in a long pause).
   */
  public @Nullable String storeProblem() {
    String p = storeProblem;
    return p != null ? p : leadership.problem();
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
    tasks.close();
    platform.close();
  }
}
