package dev.sluice.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How one flag changed in one version of the flag set: the audit trail of a flag. Its definition
 * before and after the change are JSON text; {@code before} is null when the change added the flag,
 * {@code after} when it removed it.
 *
 * @param version the flag set version that made the change
 * @param at when, as recorded with the version
 * @param actor who, as recorded with the version
 * @param action what, as recorded with the version
 * @param detail the version's sentence for people
 * @param key the flag's key
 * @param before the flag's definition before, or null
 * @param after the flag's definition after, or null
 */
public record FlagChangeRecord(
    long version,
    Instant at,
    String actor,
    String action,
    String detail,
    String key,
    @Nullable String before,
    @Nullable String after) {

  /** The change of {@code key} made by {@code version}. */
  public static FlagChangeRecord of(
      FlagVersionRecord version, String key, @Nullable String before, @Nullable String after) {
    return new FlagChangeRecord(
        version.version(),
        version.at(),
        version.actor(),
        version.action(),
        version.detail(),
        key,
        before,
        after);
  }
}
