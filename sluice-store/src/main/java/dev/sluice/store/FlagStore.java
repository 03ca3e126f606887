package dev.sluice.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the feature flag set lives: one row per version with the whole set after it, each changed
 * flag's definition before and after (the audit trail), and when each flag was last evaluated.
 *
 * <p>Every method may throw {@link StoreException}; a failed {@link #appendFlagVersion} wrote
 * nothing.
 */
public interface FlagStore {

  /** The newest version of the flag set; empty when flags were never stored. */
  Optional<FlagVersionRecord> latestFlagVersion();

  /** The newest version made by {@code action} (e.g. the last load of the flag file), if any. */
  Optional<FlagVersionRecord> latestFlagVersion(String action);

  /** One version of the flag set, if it exists. */
  Optional<FlagVersionRecord> flagVersion(long version);

  /** Up to {@code limit} versions after {@code afterVersion}, oldest first. */
  List<FlagVersionRecord> flagVersions(long afterVersion, int limit);

  /**
   * Stores a new version of the flag set and the flags it changed, in one transaction.
   *
   * @param changes made by {@code version} (same version number), at most one per key
   * @throws ConcurrentAppendException when {@code version} does not follow the newest stored one;
   *     nothing was written
   */
  void appendFlagVersion(FlagVersionRecord version, List<FlagChangeRecord> changes);

  /** Every change of one flag, oldest first. */
  List<FlagChangeRecord> flagChanges(String key);

  /** For every flag that was ever changed, the version that changed it last. */
  Map<String, Long> lastFlagChanges();

  /** Records when flags were last evaluated; a time earlier than the stored one is ignored. */
  void recordFlagEvaluations(Map<String, Instant> lastEvaluated);

  /** When each flag was last evaluated, as recorded. */
  Map<String, Instant> flagEvaluations();

  /**
   * Stores a guarded rollout, replacing the stored rollout of the same flag (running or ended).
   * Another process is told through {@link Store#onChange} with {@link Store#FLAGS}.
   */
  void putFlagRollout(FlagRolloutRecord rollout);

  /** The newest rollout of a flag, if it had one. */
  Optional<FlagRolloutRecord> flagRollout(String key);

  /** The newest rollout of every flag that had one, in key order. */
  List<FlagRolloutRecord> flagRollouts();
}
