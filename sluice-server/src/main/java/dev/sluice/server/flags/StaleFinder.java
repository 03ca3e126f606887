package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagSet;
import dev.sluice.store.FlagChangeRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Finds removal candidates the way GrowthBook and Unleash flag technical debt: flags past their
 * {@code metadata.expires} date, flags nobody evaluated for a while, and flags that have served one
 * value to everyone for a while (a rollout at 100 %, a flag without targeting, a disabled flag):
 * their code paths can be made permanent.
 *
 * <p>"One value to everyone" is read from the definition: every environment (and the base) must be
 * disabled, or have no targeting, or have targeting that is exactly one {@code fractional} with a
 * single non-zero bucket, and all must agree. Since when is found in the flag's audit trail: the
 * oldest change in the unbroken run of changes, newest first, that already served that value.
 */
final class StaleFinder {
  private static final String DISABLED = "(disabled)";
  private static final String CALLER_DEFAULT = "(the caller's default)";

  private StaleFinder() {}

  static List<StaleFlag> find(
      FlagSet set,
      Instant now,
      Duration unusedFor,
      Duration uniformFor,
      Map<String, Instant> lastEvaluated,
      Function<String, List<FlagChangeRecord>> history) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    List<StaleFlag> out = new ArrayList<>();
    for (Flag flag : set.flags().values()) {
      List<StaleFlag.Reason> reasons = new ArrayList<>();
      if (flag.isExpired(today)) {
        reasons.add(
            new StaleFlag.Reason(
                StaleFlag.Kind.EXPIRED, "expired on " + flag.expires().orElseThrow()));
      }
      List<FlagChangeRecord> changes = history.apply(flag.key());
      Instant last = lastEvaluated.get(flag.key());
      if (last != null) {
        if (last.isBefore(now.minus(unusedFor))) {
          reasons.add(
              new StaleFlag.Reason(
                  StaleFlag.Kind.UNUSED,
                  "not evaluated for " + days(last, now) + " days (last on " + date(last) + ")"));
        }
      } else {
        Instant added = added(changes);
        if (added != null && added.isBefore(now.minus(unusedFor))) {
          reasons.add(
              new StaleFlag.Reason(
                  StaleFlag.Kind.UNUSED, "never evaluated since it was added on " + date(added)));
        }
      }
      String value = uniformValue(flag.toJson());
      if (value != null) {
        Instant since = uniformSince(value, changes);
        if (since != null && since.isBefore(now.minus(uniformFor))) {
          reasons.add(
              new StaleFlag.Reason(
                  StaleFlag.Kind.UNIFORM,
                  (value.equals(DISABLED)
                          ? "disabled for everyone"
                          : "serves " + value + " to everyone")
                      + " since "
                      + date(since)
                      + " ("
                      + days(since, now)
                      + " days)"));
        }
      }
      if (!reasons.isEmpty()) {
        out.add(
            new StaleFlag(
                flag.key(), flag.owner().orElse(null), flag.expires().orElse(null), last, reasons));
      }
    }
    return out;
  }

  private static long days(Instant from, Instant to) {
    return Duration.between(from, to).toDays();
  }

  private static LocalDate date(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  private static @Nullable Instant added(List<FlagChangeRecord> changes) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      if (changes.get(i).before() == null) {
        return changes.get(i).at();
      }
    }
    return null;
  }

  private static @Nullable Instant uniformSince(String value, List<FlagChangeRecord> changes) {
    Instant since = null;
    for (int i = changes.size() - 1; i >= 0; i--) {
      FlagChangeRecord c = changes.get(i);
      if (c.after() == null || !value.equals(uniformValue(parse(c.after())))) {
        break;
      }
      since = c.at();
      if (c.before() == null) {
        break;
      }
    }
    return since;
  }

  private static JsonNode parse(String json) {
    try {
      return FlagEdits.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return FlagEdits.MAPPER.nullNode();
    }
  }

  /**
   * The one value a flag definition serves to everyone everywhere: a variant name, {@code
   * (disabled)}, or {@code (the caller's default)}; null when it depends on who asks or where.
   */
  static @Nullable String uniformValue(JsonNode flag) {
    String base =
        uniformValue(flag.get("state"), flag.get("defaultVariant"), flag.get("targeting"));
    if (base == null) {
      return null;
    }
    JsonNode envs = flag.get("environments");
    Set<String> values = new HashSet<>(Set.of(base));
    if (envs != null && envs.isObject()) {
      for (JsonNode env : envs) {
        String v =
            uniformValue(
                env.has("state") ? env.get("state") : flag.get("state"),
                env.has("defaultVariant") ? env.get("defaultVariant") : flag.get("defaultVariant"),
                env.has("targeting") ? env.get("targeting") : flag.get("targeting"));
        if (v == null) {
          return null;
        }
        values.add(v);
      }
    }
    return values.size() == 1 ? base : null;
  }

  private static @Nullable String uniformValue(
      @Nullable JsonNode state, @Nullable JsonNode defaultVariant, @Nullable JsonNode targeting) {
    if (state != null && "DISABLED".equals(state.asText())) {
      return DISABLED;
    }
    if (targeting == null || targeting.isNull() || targeting.isEmpty()) {
      return defaultVariant == null || defaultVariant.isNull()
          ? CALLER_DEFAULT
          : defaultVariant.asText();
    }
    JsonNode rollout = targeting.get("fractional");
    if (targeting.size() != 1 || rollout == null || !rollout.isArray()) {
      return null;
    }
    String only = null;
    for (JsonNode bucket : rollout) {
      // flagd lets a bucket leave out its weight, which then counts as 1
      long weight = bucket.size() >= 2 ? bucket.get(1).asLong() : 1;
      if (bucket.isArray() && bucket.size() >= 1 && weight > 0) {
        if (only != null && !Objects.equals(only, bucket.get(0).asText())) {
          return null;
        }
        only = bucket.get(0).asText();
      }
    }
    return only;
  }
}
