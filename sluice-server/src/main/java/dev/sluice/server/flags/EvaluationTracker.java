package dev.sluice.server.flags;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each flag was last evaluated, kept in memory so that recording costs an evaluation one map
 * lookup and, at most once a second per flag, one plain write; {@link FlagService} flushes what
 * moved to the store now and then. Second precision is plenty for "not evaluated for 30 days".
 */
final class EvaluationTracker {
  private static final long RESOLUTION_MILLIS = 1000;

  private final Clock clock;
  private final ConcurrentHashMap<String, AtomicLong> last = new ConcurrentHashMap<>();
  private final Map<String, Long> flushed = new HashMap<>();

  EvaluationTracker(Clock clock) {
    this.clock = clock;
  }

  /** Notes that {@code key} (a flag that exists) was evaluated now. */
  void record(String key) {
    AtomicLong at = last.get(key);
    if (at == null) {
      at = last.computeIfAbsent(key, k -> new AtomicLong());
    }
    long now = clock.millis();
    if (now - at.get() >= RESOLUTION_MILLIS) {
      at.lazySet(now);
    }
  }

  /** Every recorded time, by key. */
  Map<String, Instant> snapshot() {
    Map<String, Instant> out = new TreeMap<>();
    last.forEach((k, v) -> out.put(k, Instant.ofEpochMilli(v.get())));
    return out;
  }

  /** The times that moved since they were last {@link #flushed}. */
  synchronized Map<String, Instant> unflushed() {
    Map<String, Instant> out = new TreeMap<>();
    last.forEach(
        (k, v) -> {
          long at = v.get();
          Long before = flushed.get(k);
          if (at > 0 && (before == null || at > before)) {
            out.put(k, Instant.ofEpochMilli(at));
          }
        });
    return out;
  }

  /** Notes that these times are in the store now. */
  synchronized void flushed(Map<String, Instant> times) {
    times.forEach((k, v) -> flushed.merge(k, v.toEpochMilli(), Math::max));
  }
}
