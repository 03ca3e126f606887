package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.flags.internal.CompiledFlag;
import dev.sluice.flags.internal.Outcome;
import dev.sluice.flags.internal.ParsedFlagSet;
import dev.sluice.flags.internal.Plan;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates flags of the current {@link FlagSet} for an {@link EvaluationContext}, the way flagd
 * does, and never throws: failures come back as the caller's default with reason ERROR and an error
 * code.
 *
 * <pre>{@code
 * FlagSetHolder holder = FlagSetHolder.of(FlagSet.parse(json));
 * FlagEvaluator flags = FlagEvaluator.of(holder, Clock.systemUTC());
 * EvaluationResult<Boolean> r =
 *     flags.booleanValue("new-checkout", false, EvaluationContext.of("user-42"));
 * if (r.value()) { ... }
 * }</pre>
 *
 * <p>Order of checks, following flagd and OpenFeature: an unknown key gives FLAG_NOT_FOUND; a flag
 * disabled in the context's environment gives reason DISABLED and the caller's default; a flag
 * without targeting serves its default variant (STATIC); otherwise targeting runs (an invalid
 * context gives INVALID_CONTEXT) and its result picks the variant (TARGETING_MATCH, or SPLIT when
 * {@code fractional} chose it); null, or a custom operation failing on its input, serves the
 * default variant (DEFAULT); a name that is no variant gives GENERAL. Without a default variant,
 * DEFAULT returns the caller's default. Finally a value of another type than asked for gives
 * TYPE_MISMATCH. Integers are accepted from whole numbers only (flagd permits lossless numeric
 * coercion), doubles from any number.
 *
 * <p>Successful evaluations of boolean, string and number flags return preallocated results: a flag
 * without targeting costs a map lookup and allocates nothing. The clock supplies {@code
 * $flagd.timestamp}. Thread-safe.
 */
public final class FlagEvaluator {
  private final Supplier<FlagSet> flags;
  private final Clock clock;

  private FlagEvaluator(Supplier<FlagSet> flags, Clock clock) {
    this.flags = flags;
    this.clock = clock;
  }

  /**
   * An evaluator over whatever set {@code flags} supplies at each call (e.g. a {@link
   * FlagSetHolder}).
   */
  public static FlagEvaluator of(Supplier<FlagSet> flags, Clock clock) {
    return new FlagEvaluator(flags, clock);
  }

  /** An evaluator over one fixed set. */
  public static FlagEvaluator of(FlagSet flags, Clock clock) {
    return new FlagEvaluator(() -> flags, clock);
  }

  /** Evaluates a boolean flag. */
  public EvaluationResult<Boolean> booleanValue(
      String key, boolean defaultValue, EvaluationContext context) {
    return booleanValue(key, defaultValue, context, AS_IS);
  }

  /**
   * Evaluates a boolean flag for a context that {@code toContext} builds from {@code source} only
   * when the flag reads it (it has targeting or environment overrides); a flag served the same to
   * everyone costs no conversion. For callers that hold another kind of context, such as an
   * OpenFeature provider. {@code toContext} is called at most once.
   */
  public <C> EvaluationResult<Boolean> booleanValue(
      String key,
      boolean defaultValue,
      C source,
      Function<? super C, EvaluationContext> toContext) {
    EvaluationResult<?> r = typed(key, source, toContext, VariantType.BOOLEAN, false);
    return r.value() != PENDING ? cast(r) : withDefault(r, defaultValue);
  }

  /** Evaluates a string flag. */
  public EvaluationResult<String> stringValue(
      String key, String defaultValue, EvaluationContext context) {
    return stringValue(key, defaultValue, context, AS_IS);
  }

  /** Evaluates a string flag, building the context only when needed (see {@link #booleanValue}). */
  public <C> EvaluationResult<String> stringValue(
      String key, String defaultValue, C source, Function<? super C, EvaluationContext> toContext) {
    EvaluationResult<?> r = typed(key, source, toContext, VariantType.STRING, false);
    return r.value() != PENDING ? cast(r) : withDefault(r, defaultValue);
  }

  /** Evaluates a number flag whose variant must be a whole number. */
  public EvaluationResult<Long> integerValue(
      String key, long defaultValue, EvaluationContext context) {
    return integerValue(key, defaultValue, context, AS_IS);
  }

  /**
   * Evaluates a whole-number flag, building the context only when needed (see {@link
   * #booleanValue}).
   */
  public <C> EvaluationResult<Long> integerValue(
      String key, long defaultValue, C source, Function<? super C, EvaluationContext> toContext) {
    EvaluationResult<?> r = typed(key, source, toContext, VariantType.NUMBER, true);
    // Boxing the default only when it is used keeps successful evaluations allocation-free.
    return r.value() != PENDING ? cast(r) : withDefault(r, defaultValue);
  }

  /** Evaluates a number flag. */
  public EvaluationResult<Double> doubleValue(
      String key, double defaultValue, EvaluationContext context) {
    return doubleValue(key, defaultValue, context, AS_IS);
  }

  /** Evaluates a number flag, building the context only when needed (see {@link #booleanValue}). */
  public <C> EvaluationResult<Double> doubleValue(
      String key, double defaultValue, C source, Function<? super C, EvaluationContext> toContext) {
    EvaluationResult<?> r = typed(key, source, toContext, VariantType.NUMBER, false);
    return r.value() != PENDING ? cast(r) : withDefault(r, defaultValue);
  }

  /** Evaluates an object flag; the value is a JSON object the caller may modify. */
  public EvaluationResult<JsonNode> objectValue(
      String key, JsonNode defaultValue, EvaluationContext context) {
    return objectValue(key, defaultValue, context, AS_IS);
  }

  /**
   * Evaluates an object flag, building the context only when needed (see {@link #booleanValue}).
   */
  public <C> EvaluationResult<JsonNode> objectValue(
      String key,
      JsonNode defaultValue,
      C source,
      Function<? super C, EvaluationContext> toContext) {
    EvaluationResult<?> r = typed(key, source, toContext, VariantType.OBJECT, false);
    return r.value() != PENDING ? cast(r) : withDefault(r, defaultValue);
  }

  private static final Function<EvaluationContext, EvaluationContext> AS_IS = c -> c;

  /** Stands for the caller's default in results built before the default is boxed. */
  private static final Object PENDING = new Object();

  @SuppressWarnings("unchecked")
  private static <T> EvaluationResult<T> cast(EvaluationResult<?> r) {
    return (EvaluationResult<T>) r;
  }

  private static <T> EvaluationResult<T> withDefault(EvaluationResult<?> r, T defaultValue) {
    return new EvaluationResult<>(
        r.flagKey(),
        defaultValue,
        null,
        r.reason(),
        r.errorCode(),
        r.errorMessage(),
        r.flagMetadata());
  }

  /**
   * Evaluates a flag of any type, as OFREP does: the value is the variant's JSON value. When no
   * variant applies (disabled, no default variant, errors), the value is JSON null.
   */
  public EvaluationResult<JsonNode> value(String key, EvaluationContext context) {
    try {
      ParsedFlagSet set = flags.get().model();
      return value(set, key, context);
    } catch (RuntimeException | StackOverflowError e) {
      return failure(key, NULL, ErrorCode.GENERAL, "evaluation failed: " + e, Map.of());
    }
  }

  /**
   * Evaluates every flag that is enabled in the context's environment, in key order, as flagd's
   * bulk evaluation does (disabled flags are left out). Values are JSON.
   */
  public Map<String, EvaluationResult<JsonNode>> evaluateAll(EvaluationContext context) {
    Map<String, EvaluationResult<JsonNode>> out = new LinkedHashMap<>();
    ParsedFlagSet set;
    String environment;
    try {
      set = flags.get().model();
      environment = context.environment();
    } catch (RuntimeException e) {
      return out;
    }
    for (String key : new TreeSet<>(set.flags().keySet())) {
      CompiledFlag flag = set.flags().get(key);
      if (flag.state(environment) == FlagState.DISABLED) {
        continue;
      }
      try {
        out.put(key, value(set, key, context));
      } catch (RuntimeException | StackOverflowError e) {
        out.put(
            key,
            failure(
                key, NULL, ErrorCode.GENERAL, "evaluation failed: " + e, flag.reportedMetadata()));
      }
    }
    return out;
  }

  private static final JsonNode NULL = JsonNodeFactory.instance.nullNode();

  private EvaluationResult<JsonNode> value(
      ParsedFlagSet set, String key, EvaluationContext context) {
    CompiledFlag flag = set.flag(key);
    if (flag == null) {
      return notFound(key, NULL, set);
    }
    Plan plan = flag.plan(context.environment());
    if (plan.state() == FlagState.DISABLED) {
      return disabled(key, NULL, flag);
    }
    Outcome outcome = flag.resolve(plan, context, clock);
    if (outcome.error() != null) {
      return failure(key, NULL, outcome.error(), outcome.message(), flag.reportedMetadata());
    }
    if (outcome.row() < 0) {
      return noVariant(key, NULL, flag);
    }
    return flag.jsonResult(outcome.row());
  }

  private <C> EvaluationResult<?> typed(
      String key,
      C source,
      Function<? super C, EvaluationContext> toContext,
      VariantType type,
      boolean whole) {
    Object defaultValue = PENDING;
    try {
      ParsedFlagSet set = flags.get().model();
      CompiledFlag flag = set.flag(key);
      if (flag == null) {
        return notFound(key, defaultValue, set);
      }
      EvaluationResult<?> served = flag.staticResult();
      if (served != null && flag.type() == type && !whole) {
        return served;
      }
      // A flag that reads no context gets the base plan whatever the context says.
      EvaluationContext context =
          flag.readsContext() ? toContext.apply(source) : EvaluationContext.empty();
      Plan plan = flag.plan(context.environment());
      if (plan.state() == FlagState.DISABLED) {
        return disabled(key, defaultValue, flag);
      }
      Outcome outcome = flag.resolve(plan, context, clock);
      if (outcome.error() != null) {
        return failure(
            key, defaultValue, outcome.error(), outcome.message(), flag.reportedMetadata());
      }
      if (outcome.row() < 0) {
        return noVariant(key, defaultValue, flag);
      }
      if (flag.type() != type) {
        return mismatch(key, defaultValue, flag, type.name().toLowerCase(java.util.Locale.ROOT));
      }
      if (whole) {
        EvaluationResult<Long> result = flag.longResult(outcome.row());
        return result != null ? result : mismatch(key, defaultValue, flag, "whole number");
      }
      return flag.typedResult(outcome.row());
    } catch (RuntimeException | StackOverflowError e) {
      return failure(key, defaultValue, ErrorCode.GENERAL, "evaluation failed: " + e, Map.of());
    }
  }

  private static <T> EvaluationResult<T> notFound(String key, T defaultValue, ParsedFlagSet set) {
    return failure(
        key, defaultValue, ErrorCode.FLAG_NOT_FOUND, "flag " + key + " not found", set.metadata());
  }

  private static <T> EvaluationResult<T> disabled(String key, T defaultValue, CompiledFlag flag) {
    return new EvaluationResult<>(
        key, defaultValue, null, Reason.DISABLED, null, null, flag.reportedMetadata());
  }

  private static <T> EvaluationResult<T> noVariant(String key, T defaultValue, CompiledFlag flag) {
    return new EvaluationResult<>(
        key, defaultValue, null, Reason.DEFAULT, null, null, flag.reportedMetadata());
  }

  private static <T> EvaluationResult<T> mismatch(
      String key, T defaultValue, CompiledFlag flag, String asked) {
    String has = flag.type().name().toLowerCase(java.util.Locale.ROOT);
    return failure(
        key,
        defaultValue,
        ErrorCode.TYPE_MISMATCH,
        "flag " + key + " has " + has + " variants, asked for a " + asked,
        flag.reportedMetadata());
  }

  private static <T> EvaluationResult<T> failure(
      String key,
      T defaultValue,
      ErrorCode code,
      @Nullable String message,
      Map<String, Object> metadata) {
    return new EvaluationResult<>(key, defaultValue, null, Reason.ERROR, code, message, metadata);
  }
}
