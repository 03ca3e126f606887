package dev.sluice.core.release;

import dev.sluice.core.event.EventRecord;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The results of an app's experiment and shadow releases, past and present, found by replaying its
 * event log: each as it stood when the release ended (or stands now, while it runs).
 *
 * <pre>{@code
 * for (ReleaseResults.Entry e : ReleaseResults.replay(app, store.events(app))) { ... }
 * }</pre>
 */
public final class ReleaseResults {
  private ReleaseResults() {}

  /**
   * One experiment or shadow release.
   *
   * @param revision the release's number
   * @param version its version
   * @param strategy {@code experiment} or {@code shadow}
   * @param status how it ended ({@code Succeeded}, {@code Rolled back}...) or where it is
   * @param endSeq the sequence number of the event that ended it; 0 while it runs
   * @param experiment the experiment's result, or null
   * @param shadow the shadow's result, or null
   */
  public record Entry(
      int revision,
      String version,
      String strategy,
      String status,
      long endSeq,
      @Nullable ExperimentResult experiment,
      @Nullable ShadowResult shadow) {}

  /** The result of a state's current (or last) release, or null when it has none to show. */
  public static @Nullable Entry of(AppState s, long endSeq) {
    Release r = s.release();
    if (r == null) {
      return null;
    }
    ExperimentResult e = ExperimentResult.of(r, winnerCandidate(s, r));
    ShadowResult sh = ShadowResult.of(r);
    if (e == null && sh == null) {
      return null;
    }
    return new Entry(
        r.revision(), r.version(), r.spec().strategy().kind(), r.phase().status(), endSeq, e, sh);
  }

  /** Replays {@code events} (an app's whole log, oldest first) into its results, oldest first. */
  public static List<Entry> replay(String app, List<EventRecord> events) {
    List<Entry> out = new ArrayList<>();
    AppState s = AppState.empty(app);
    for (EventRecord e : events) {
      Release before = s.release();
      s = s.apply(e);
      Release after = s.release();
      boolean ended =
          after != null
              && after.phase().isDone()
              && before != null
              && before.revision() == after.revision()
              && !before.phase().isDone();
      if (ended) {
        Entry entry = of(s, e.seq());
        if (entry != null) {
          out.add(entry);
        }
      }
    }
    Release last = s.release();
    if (last != null && !last.phase().isDone()) {
      Entry entry = of(s, 0);
      if (entry != null) {
        out.add(entry);
      }
    }
    return out;
  }

  /** The stable version when it is {@code r}'s own revision (the arm that won), else null. */
  private static @Nullable String winnerCandidate(AppState s, Release r) {
    return s.stable() != null && s.stable().number() == r.revision() ? s.stableVersion() : null;
  }
}
