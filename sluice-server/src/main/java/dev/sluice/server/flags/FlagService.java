package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagSetHolder;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.server.flags.FlagEditException.Kind;
import dev.sluice.store.ConcurrentAppendException;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagStore;
import dev.sluice.store.FlagVersionRecord;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's feature flags: the current flag set and its version, changes stored as new versions
 * with an audit entry (who, when, before and after) per changed flag, when each flag was last
 * evaluated, and the spec's flag file kept loaded.
 *
 * <pre>{@code
 * FlagService flags = FlagService.start(store, clock);
 * flags.setState("new-checkout", FlagState.DISABLED, "production", "ci", null);
 * EvaluationResult<JsonNode> r = flags.evaluator().value("new-checkout", context);
 * flags.recordEvaluation("new-checkout");
 * }</pre>
 *
 * <p>A change is validated as a whole set by the engine before anything is written; an invalid one
 * throws {@link InvalidFlagSetException} (or {@link FlagEditException}) and changes nothing. A
 * change that asks for what already is stores no version. Changes are serialized; the new set is
 * stored first, then swapped in (one atomic write readers see whole), then announced to {@link
 * #subscribe listeners}. Evaluation times are kept in memory and flushed to the store every {@code
 * flushInterval} and on {@link #close}. Thread-safe.
 *
 * <p>When several processes share the store, each {@link #follow follows} it: a newer version that
 * another process stored is loaded, swapped in and announced exactly as a change made here, so
 * OFREP answers, change streams and the router's edge flags of every process serve the same set.
 * Versions only move forward; a stored version that does not validate is logged and skipped.
 *
 * <p>It is a larger file than most on purpose: it is the one writer of the flag set, and keeping
 * every kind of change next to the single {@code commit} they go through lets the write path be
 * read in one place. The edits themselves are in {@link FlagEdits}, staleness in {@link
 * StaleFinder}, the file in {@link FlagFileWatcher}.
 */
public final class FlagService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlagService.class);

  /** The actor and action recorded for versions loaded from the spec's flag file. */
  public static final String FILE = "file";

  /**
   * How often to do the background work.
   *
   * @param flushInterval how often evaluation times go to the store
   * @param fileCheckInterval how often the flag file is checked for changes
   */
  public record Options(Duration flushInterval, Duration fileCheckInterval) {
    public static Options defaults() {
      return new Options(Duration.ofMinutes(1), Duration.ofSeconds(1));
    }
  }

  private final FlagStore store;
  private final Clock clock;
  private final Options options;
  private final AtomicReference<FlagSetVersion> current;
  private final FlagSetHolder holder;
  private final FlagEvaluator evaluator;
  private final EvaluationTracker evaluations;
  private final Map<String, Long> lastChanged;
  private final List<Consumer<FlagSetUpdate>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService background;
  private final Object writeLock = new Object();
  private volatile @Nullable FlagFileWatcher file;
  private volatile @Nullable AutoCloseable following;
  private long skipped; // a stored version that did not validate, logged once; under writeLock

  private FlagService(FlagStore store, Clock clock, Options options, FlagSetVersion initial) {
    this.store = store;
    this.clock = clock;
    this.options = options;
    this.current = new AtomicReference<>(initial);
    this.holder = FlagSetHolder.of(initial.flags());
    this.evaluator = FlagEvaluator.of(holder, clock);
    this.evaluations = new EvaluationTracker(clock);
    this.lastChanged = new ConcurrentHashMap<>(store.lastFlagChanges());
    this.background =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-flags");
              t.setDaemon(true);
              return t;
            });
  }

  /** Loads the newest stored flag set (the empty set when there is none), with default options. */
  public static FlagService start(FlagStore store, Clock clock) {
    return start(store, clock, Options.defaults());
  }

  /**
   * Loads the newest stored flag set (the empty set when there is none).
   *
   * @throws IllegalStateException when the stored set does not validate any more
   */
  public static FlagService start(FlagStore store, Clock clock, Options options) {
    FlagSetVersion initial =
        store
            .latestFlagVersion()
            .map(r -> new FlagSetVersion(r.version(), stored(r), r.at()))
            .orElseGet(() -> new FlagSetVersion(0, FlagSet.empty(), clock.instant()));
    FlagService service = new FlagService(store, clock, options, initial);
    long flush = options.flushInterval().toMillis();
    service.background.scheduleWithFixedDelay(
        () -> service.quietly("flush flag evaluation times", service::flushEvaluations),
        flush,
        flush,
        TimeUnit.MILLISECONDS);
    return service;
  }

  private static FlagSet stored(FlagVersionRecord r) {
    try {
      return FlagSet.parse(r.document());
    } catch (InvalidFlagSetException e) {
      throw new IllegalStateException(
          "the stored flag set (version " + r.version() + ") is not valid: " + e.getMessage(), e);
    }
  }

  /** Where the flag set is stored (guarded rollouts keep their records there too). */
  FlagStore store() {
    return store;
  }

  /** The current flag set and its version. */
  public FlagSetVersion current() {
    return current.get();
  }

  /** The current flag set as the engine's holder, for evaluators and listeners of the engine. */
  public FlagSetHolder holder() {
    return holder;
  }

  /** An evaluator over the current set (evaluations through it are not recorded by themselves). */
  public FlagEvaluator evaluator() {
    return evaluator;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * Calls {@code listener} after every new version, on the thread that made it (for a version
   * stored by another process, the thread that follows the store).
   */
  public AutoCloseable subscribe(Consumer<FlagSetUpdate> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  // Changes.

  /**
   * Replaces the whole set with {@code set}, or with {@code merge}, adds its flags (replacing those
   * with the same keys) and leaves the others.
   *
   * @param ifVersion when not null, the version the caller based the change on; another current
   *     version refuses the change (optimistic locking)
   */
  public FlagCommit importSet(FlagSet set, boolean merge, String actor, @Nullable Long ifVersion) {
    return commit(
        actor,
        ifVersion,
        cur -> merge ? FlagEdits.merge(cur, set) : FlagEdits.replace(set, "import", "imported"));
  }

  /** Creates or replaces one flag with {@code definition} (a flagd flag object). */
  public FlagCommit put(String key, JsonNode definition, String actor, @Nullable Long ifVersion) {
    return commit(actor, ifVersion, cur -> FlagEdits.put(cur, key, definition));
  }

  /** Removes a flag. */
  public FlagCommit delete(String key, String actor, @Nullable Long ifVersion) {
    return commit(actor, ifVersion, cur -> FlagEdits.delete(cur, key));
  }

  /** Enables or disables a flag, everywhere or (with {@code environment}) in one environment. */
  public FlagCommit setState(
      String key,
      FlagState state,
      @Nullable String environment,
      String actor,
      @Nullable Long ifVersion) {
    return commit(actor, ifVersion, cur -> FlagEdits.setState(cur, key, state, environment));
  }

  /** Sets the variant served when targeting decides nothing; null for the caller's default. */
  public FlagCommit setDefaultVariant(
      String key,
      @Nullable String variant,
      @Nullable String environment,
      String actor,
      @Nullable Long ifVersion) {
    return commit(
        actor, ifVersion, cur -> FlagEdits.setDefaultVariant(cur, key, variant, environment));
  }

  /**
   * Sets the weights of the flag's percentage rollout (its one {@code fractional}); a flag without
   * targeting gets one.
   */
  public FlagCommit setWeights(
      String key,
      SequencedMap<String, Integer> weights,
      @Nullable String environment,
      String actor,
      @Nullable Long ifVersion) {
    return commit(actor, ifVersion, cur -> FlagEdits.setWeights(cur, key, weights, environment));
  }

  /**
   * A step of a guarded rollout: sets the weights as {@link #setWeights} does, recorded as action
   * {@code rollout} with {@code detail}.
   */
  FlagCommit rolloutStep(
      String key, SequencedMap<String, Integer> weights, String actor, String detail) {
    return commit(
        actor,
        null,
        cur ->
            new FlagEdits.Edited(
                FlagEdits.setWeights(cur, key, weights, null).next(), "rollout", detail));
  }

  /**
   * The end of a failed guarded rollout: puts back the flag's definition from before it, recorded
   * as action {@code rollout-revert} with {@code detail}.
   */
  FlagCommit rolloutRevert(String key, JsonNode before, String actor, String detail) {
    return commit(
        actor,
        null,
        cur ->
            new FlagEdits.Edited(FlagEdits.put(cur, key, before).next(), "rollout-revert", detail));
  }

  FlagCommit loadFile(Path path, FlagSet set, boolean startup) {
    if (startup) {
      // The file wins at start-up unless it still holds what it held when last loaded: then
      // changes made through the API since are kept.
      Optional<FlagVersionRecord> last = store.latestFlagVersion(FILE);
      if (last.isPresent() && sameContent(last.get().document(), set)) {
        return new FlagCommit(
            new FlagSetVersion(last.get().version(), set, last.get().at()), false, Set.of());
      }
    }
    return commit(FILE, null, cur -> FlagEdits.replace(set, FILE, "loaded " + path.getFileName()));
  }

  private static boolean sameContent(String document, FlagSet set) {
    try {
      return FlagSet.parse(document).equals(set);
    } catch (InvalidFlagSetException e) {
      return false;
    }
  }

  private FlagCommit commit(
      String actor, @Nullable Long ifVersion, Function<FlagSet, FlagEdits.Edited> edit) {
    synchronized (writeLock) {
      FlagSetVersion cur = current.get();
      if (ifVersion != null && ifVersion != cur.version()) {
        throw new FlagEditException(
            Kind.CONFLICT,
            "ifVersion: "
                + ifVersion
                + " (expected: the current version "
                + cur.version()
                + "; someone changed the flags since: reload and retry)");
      }
      FlagEdits.Edited edited = edit.apply(cur.flags());
      FlagSet next = edited.next();
      if (next.equals(cur.flags())) {
        return new FlagCommit(cur, false, Set.of());
      }
      Map<String, String[]> diff = diff(cur.flags(), next);
      String detail = edited.detail();
      if (edited.action().equals("import") || edited.action().equals(FILE)) {
        detail +=
            diff.isEmpty() ? "; no flag changed" : "; changed: " + String.join(", ", diff.keySet());
      }
      Instant now = clock.instant();
      FlagVersionRecord record =
          new FlagVersionRecord(
              cur.version() + 1, now, actor, edited.action(), detail, next.toJson());
      List<FlagChangeRecord> changes = new ArrayList<>();
      diff.forEach((key, ba) -> changes.add(FlagChangeRecord.of(record, key, ba[0], ba[1])));
      try {
        store.appendFlagVersion(record, changes);
      } catch (ConcurrentAppendException e) {
        // Another process sharing the store wrote first: catch up, so that a retry can work.
        quietly("load the stored flag set", this::refresh);
        throw new FlagEditException(
            Kind.CONFLICT, "the flag set was changed by another server: " + e.getMessage());
      }
      FlagSetVersion made = new FlagSetVersion(record.version(), next, now);
      diff.keySet().forEach(k -> lastChanged.put(k, made.version()));
      log.info("flags version {} by {}: {}", made.version(), actor, detail);
      Set<String> changed = swap(cur, made, diff.keySet());
      return new FlagCommit(made, true, changed);
    }
  }

  /** Makes {@code made} current and announces it; under {@code writeLock}. */
  private Set<String> swap(FlagSetVersion cur, FlagSetVersion made, Set<String> diffKeys) {
    current.set(made);
    holder.set(made.flags());
    TreeSet<String> keys = new TreeSet<>(diffKeys);
    keys.addAll(made.flags().changedKeys(cur.flags()));
    Set<String> changed = Collections.unmodifiableSortedSet(keys);
    FlagSetUpdate update = new FlagSetUpdate(cur, made, changed);
    for (Consumer<FlagSetUpdate> l : listeners) {
      try {
        l.accept(update);
      } catch (RuntimeException e) {
        log.warn("flag set listener {} failed", l, e);
      }
    }
    return changed;
  }

  // Following a store shared with other processes.

  /**
   * Follows the flag set that other processes sharing the store change: right after the store
   * notifies a change of the flags ({@link Store#FLAGS}, or {@code *} when notifications may have
   * been lost) and every {@code every} in case a notification is lost, a newer stored version is
   * loaded (see {@link #refresh}).
   *
   * <p>{@code flags.follow(store::onChange, Duration.ofSeconds(1))}
   *
   * @param notifications subscribes a listener to the store's notifications and returns what stops
   *     them, as {@link Store#onChange} does
   */
  public void follow(Function<Consumer<String>, AutoCloseable> notifications, Duration every) {
    long ms = every.toMillis();
    background.scheduleWithFixedDelay(
        () -> quietly("load the stored flag set", this::refresh), ms, ms, TimeUnit.MILLISECONDS);
    following =
        notifications.apply(
            what -> {
              if (what.equals(Store.FLAGS) || what.equals("*")) {
                try {
                  background.execute(() -> quietly("load the stored flag set", this::refresh));
                } catch (RejectedExecutionException e) {
                  // closing
                }
              }
            });
  }

  /**
   * Loads the newest stored version when it is newer than the current one: it is swapped in and
   * announced to listeners as a change made here is. An older or equal version changes nothing; a
   * newer one that does not validate is logged (once) and skipped, and the current set stays.
   *
   * @return whether a newer version was loaded
   */
  boolean refresh() {
    Optional<FlagVersionRecord> newest = store.latestFlagVersion();
    if (newest.isEmpty() || newest.get().version() <= current.get().version()) {
      return false;
    }
    FlagVersionRecord r = newest.get();
    synchronized (writeLock) {
      FlagSetVersion cur = current.get();
      if (r.version() <= cur.version() || r.version() == skipped) {
        return false; // made here meanwhile, or known to be invalid
      }
      FlagSet next;
      try {
        next = FlagSet.parse(r.document());
      } catch (InvalidFlagSetException e) {
        skipped = r.version();
        log.error(
            "the stored flag set version {} (by {}) is not valid, so this process keeps serving"
                + " version {}: {}",
            r.version(),
            r.actor(),
            cur.version(),
            e.getMessage());
        return false;
      }
      FlagSetVersion made = new FlagSetVersion(r.version(), next, r.at());
      lastChanged.putAll(store.lastFlagChanges());
      log.info(
          "flags version {} by {} (stored by another process): {}",
          made.version(),
          r.actor(),
          r.detail());
      swap(cur, made, diff(cur.flags(), next).keySet());
      return true;
    }
  }

  /** Per flag whose definition differs: {before, after} as compact JSON (null when absent). */
  private static Map<String, String[]> diff(FlagSet before, FlagSet after) {
    Map<String, String[]> out = new TreeMap<>();
    Set<String> keys = new TreeSet<>(before.flags().keySet());
    keys.addAll(after.flags().keySet());
    for (String key : keys) {
      JsonNode b = before.flag(key).map(Flag::toJson).orElse(null);
      JsonNode a = after.flag(key).map(Flag::toJson).orElse(null);
      if (!Objects.equals(a, b)) {
        out.put(key, new String[] {compact(b), compact(a)});
      }
    }
    return out;
  }

  static @Nullable String compact(@Nullable JsonNode json) {
    if (json == null) {
      return null;
    }
    try {
      return FlagEdits.MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a flag always serializes", e);
    }
  }

  // History.

  /** Every change of one flag, oldest first. */
  public List<FlagChangeRecord> history(String key) {
    return store.flagChanges(key);
  }

  /** Up to {@code limit} versions after {@code afterVersion}, oldest first. */
  public List<FlagVersionRecord> versions(long afterVersion, int limit) {
    return store.flagVersions(afterVersion, limit);
  }

  /** One stored version. */
  public Optional<FlagVersionRecord> version(long version) {
    return store.flagVersion(version);
  }

  /** The version that last changed the flag, if it was ever changed. */
  public OptionalLong lastChanged(String key) {
    Long v = lastChanged.get(key);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  // Evaluations and staleness.

  /** Notes that {@code key} was evaluated now; keys of flags that do not exist are ignored. */
  public void recordEvaluation(String key) {
    if (holder.get().flags().containsKey(key)) {
      evaluations.record(key);
    }
  }

  /** Notes evaluations reported by an SDK that evaluates in process. */
  public void recordEvaluations(Collection<String> keys) {
    keys.forEach(this::recordEvaluation);
  }

  /** When each flag was last evaluated: the store's record with what is not flushed yet. */
  public Map<String, Instant> lastEvaluated() {
    Map<String, Instant> out = new TreeMap<>(store.flagEvaluations());
    evaluations.snapshot().forEach((k, v) -> out.merge(k, v, (a, b) -> a.isAfter(b) ? a : b));
    return out;
  }

  /** Writes evaluation times that moved to the store. */
  public void flushEvaluations() {
    Map<String, Instant> moved = evaluations.unflushed();
    if (!moved.isEmpty()) {
      store.recordFlagEvaluations(moved);
      evaluations.flushed(moved);
    }
  }

  /**
   * Flags that are probably technical debt: past {@code metadata.expires}, not evaluated for {@code
   * unusedFor}, or serving one value to everyone for {@code uniformFor}; see {@link StaleFlag}.
   */
  public List<StaleFlag> stale(Duration unusedFor, Duration uniformFor) {
    return StaleFinder.find(
        current().flags(), clock.instant(), unusedFor, uniformFor, lastEvaluated(), this::history);
  }

  // The flag file.

  /**
   * Loads {@code path} now and then whenever it changes. An invalid or missing file changes
   * nothing; {@link #fileStatus()} says why, and the next change is tried again.
   */
  public void watchFile(Path path) {
    FlagFileWatcher watcher = new FlagFileWatcher(path, this, clock);
    file = watcher;
    watcher.check(true);
    long every = options.fileCheckInterval().toMillis();
    background.scheduleWithFixedDelay(
        () -> quietly("check the flag file " + path, () -> watcher.check(false)),
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  /** How loading the flag file went; null when no file is watched. */
  public @Nullable FlagFileStatus fileStatus() {
    FlagFileWatcher w = file;
    return w == null ? null : w.status();
  }

  private void quietly(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("cannot {}: {}", what, e.toString());
    }
  }

  /** Stops watching the file and following the store, and flushes evaluation times. */
  @Override
  public void close() {
    AutoCloseable f = following;
    if (f != null) {
      try {
        f.close();
      } catch (Exception e) {
        log.warn("cannot stop following the store: {}", e.toString());
      }
    }
    background.shutdownNow();
    try {
      background.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    quietly("flush flag evaluation times", this::flushEvaluations);
  }
}
