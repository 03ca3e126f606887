package dev.sluice.server.flags;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A flag that is probably technical debt, with why: past its expiry date, not evaluated for a
 * while, or serving one value to everyone for a while (the signals GrowthBook and Unleash use to
 * suggest removing a flag).
 *
 * @param owner the owning team from {@code metadata.owner}, or null
 * @param expires the date from {@code metadata.expires}, or null
 * @param lastEvaluatedAt when the flag was last evaluated, or null when never (since recording)
 * @param reasons at least one
 */
public record StaleFlag(
    String key,
    @Nullable String owner,
    @Nullable LocalDate expires,
    @Nullable Instant lastEvaluatedAt,
    List<Reason> reasons) {

  /** One reason a flag is stale. */
  public record Reason(Kind kind, String detail) {}

  /** The kinds of staleness. */
  public enum Kind {
    /** {@code metadata.expires} is in the past. */
    EXPIRED,
    /** Not evaluated for the period asked about (or never, since it was added before it). */
    UNUSED,
    /** One variant (or disabled) for everyone in every environment for the period asked about. */
    UNIFORM
  }
}
