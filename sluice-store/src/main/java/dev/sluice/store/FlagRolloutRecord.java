package dev.sluice.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A guarded flag rollout as stored: where it is, and what it needs to go on after a restart. The
 * store keeps the newest rollout of each flag; it does not read the JSON fields.
 *
 * @param key the flag rolled out
 * @param state {@code RUNNING}, {@code REVERTING}, {@code COMPLETED}, {@code REVERTED} or {@code
 *     CANCELLED}
 * @param step index of the step reached (or being set) in the plan's steps
 * @param actor who started it
 * @param reason why it ended (or is ending); empty while it runs
 * @param startedAt when it started
 * @param endedAt when it ended; null while it runs
 * @param updatedAt when this record was written
 * @param plan the plan as JSON, with the flag's definition before the rollout
 * @param written the flag's definition as JSON as the rollout last left it; null before its first
 *     step was set
 * @param events what happened, a JSON array of lines for people, oldest first
 */
public record FlagRolloutRecord(
    String key,
    String state,
    int step,
    String actor,
    String reason,
    Instant startedAt,
    @Nullable Instant endedAt,
    Instant updatedAt,
    String plan,
    @Nullable String written,
    String events) {}
