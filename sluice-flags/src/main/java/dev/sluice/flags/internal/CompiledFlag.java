package dev.sluice.flags.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.flags.ErrorCode;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.Reason;
import dev.sluice.flags.VariantType;
import dev.sluice.flags.internal.logic.Frame;
import dev.sluice.flags.internal.logic.RuleFailure;
import dev.sluice.flags.internal.logic.Values;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A validated flag with everything evaluation needs precomputed: the variant index, one plan per
 * environment and, for every variant and every successful reason, the finished {@link
 * EvaluationResult} objects, so that serving a static flag (or any successful evaluation of a
 * non-object flag) allocates nothing.
 */
public final class CompiledFlag {
  /** The reasons a successful evaluation can have, in result-table order. */
  static final Reason[] ROW_REASONS = {
    Reason.STATIC, Reason.TARGETING_MATCH, Reason.SPLIT, Reason.DEFAULT
  };

  private final String key;
  private final JsonNode json;
  private final VariantType type;
  private final List<String> variantNames;
  private final Map<String, JsonNode> variants;
  private final Map<String, Integer> index;
  private final Plan base;
  private final Map<String, Plan> environments;
  private final Map<String, Object> metadata;
  private final Map<String, Object> reportedMetadata;
  private final @Nullable String owner;
  private final @Nullable LocalDate expires;
  private final String fingerprint;
  private final boolean readsContext;

  private final Outcome[] outcomes;
  private final EvaluationResult<JsonNode>[] jsonResults;
  private final EvaluationResult<?>[] typedResults;
  private final @Nullable EvaluationResult<Long>[] longResults;
  private final @Nullable EvaluationResult<?> staticResult;

  @SuppressWarnings({"unchecked", "rawtypes"}) // generic arrays of preallocated results
  CompiledFlag(
      String key,
      JsonNode json,
      VariantType type,
      Map<String, JsonNode> variants,
      Plan base,
      Map<String, Plan> environments,
      Map<String, Object> metadata,
      Map<String, Object> reportedMetadata,
      @Nullable String owner,
      @Nullable LocalDate expires,
      String fingerprint) {
    this.key = key;
    this.json = json;
    this.type = type;
    this.variants = variants;
    this.variantNames = List.copyOf(variants.keySet());
    this.index = new HashMap<>();
    for (int i = 0; i < variantNames.size(); i++) {
      index.put(variantNames.get(i), i);
    }
    this.base = base;
    this.environments = environments;
    this.metadata = metadata;
    this.reportedMetadata = reportedMetadata;
    this.owner = owner;
    this.expires = expires;
    this.fingerprint = fingerprint;
    this.readsContext = base.targeting() != null || !environments.isEmpty();

    int n = variantNames.size();
    int rows = ROW_REASONS.length * n;
    outcomes = new Outcome[rows];
    jsonResults = new EvaluationResult[rows];
    typedResults = new EvaluationResult<?>[rows];
    longResults = new EvaluationResult[rows];
    for (int r = 0; r < ROW_REASONS.length; r++) {
      for (int i = 0; i < n; i++) {
        int row = r * n + i;
        String name = variantNames.get(i);
        JsonNode value = variants.get(name);
        Reason reason = ROW_REASONS[r];
        outcomes[row] = new Outcome(row, null, null);
        jsonResults[row] = result(value, name, reason);
        typedResults[row] =
            switch (type) {
              case BOOLEAN -> result(value.booleanValue(), name, reason);
              case STRING -> result(value.textValue(), name, reason);
              case NUMBER -> result(value.doubleValue(), name, reason);
              case OBJECT -> jsonResults[row];
            };
        if (type == VariantType.NUMBER && isWholeLong(value)) {
          longResults[row] = result(value.longValue(), name, reason);
        }
      }
    }
    // Row defaultIndex of the first block is the default variant served with reason STATIC.
    boolean servedAsIs =
        !readsContext
            && base.state() == FlagState.ENABLED
            && base.defaultIndex() >= 0
            && type != VariantType.OBJECT;
    this.staticResult = servedAsIs ? typedResults[base.defaultIndex()] : null;
  }

  private static boolean isWholeLong(JsonNode value) {
    if (value.isIntegralNumber()) {
      return value.canConvertToLong();
    }
    double d = value.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 9.2e18;
  }

  private <T> EvaluationResult<T> result(T value, String variant, Reason reason) {
    return new EvaluationResult<>(key, value, variant, reason, null, null, reportedMetadata);
  }

  /** Resolves this flag for {@code context} in {@code plan}; never throws. */
  public Outcome resolve(Plan plan, EvaluationContext context, Clock clock) {
    int n = variantNames.size();
    if (plan.targeting() == null) {
      return plan.defaultIndex() < 0 ? Outcome.NO_VARIANT : outcomes[plan.defaultIndex()];
    }
    if (context.problem() != null) {
      return Outcome.failure(
          ErrorCode.INVALID_CONTEXT, "invalid evaluation context: " + context.problem());
    }
    Frame frame = new Frame(context, key, clock);
    Object value;
    try {
      value = plan.targeting().eval(frame);
    } catch (RuleFailure failure) {
      if (failure == RuleFailure.TARGETING_KEY_MISSING) {
        return Outcome.failure(
            ErrorCode.TARGETING_KEY_MISSING,
            "flag "
                + key
                + ": fractional needs a targeting key (or a bucketing value) and the context has none");
      }
      value = null;
    } catch (RuntimeException | StackOverflowError e) {
      return Outcome.failure(ErrorCode.GENERAL, "flag " + key + ": targeting failed: " + e);
    }
    if (value == null) {
      return plan.defaultIndex() < 0 ? Outcome.NO_VARIANT : outcomes[3 * n + plan.defaultIndex()];
    }
    String name;
    if (value instanceof String s) {
      name = s;
    } else if (value instanceof Boolean b) {
      name = b ? "true" : "false";
    } else if (value instanceof Double d) {
      name = Values.numberToString(d);
    } else {
      return Outcome.failure(
          ErrorCode.GENERAL,
          "flag "
              + key
              + ": targeting returned "
              + Values.toJsString(value)
              + ", not a variant name");
    }
    Integer i = index.get(name);
    if (i == null) {
      if (name.isEmpty() && plan.defaultIndex() < 0) {
        return Outcome.NO_VARIANT;
      }
      return Outcome.failure(
          ErrorCode.GENERAL,
          "flag "
              + key
              + ": targeting returned variant \""
              + name
              + "\", which is not one of: "
              + String.join(", ", variantNames));
    }
    return outcomes[(frame.split() ? 2 : 1) * n + i];
  }

  /**
   * Whether evaluating this flag reads the context at all: false for a flag without targeting and
   * without environment overrides, which serves the same result to every caller.
   */
  public boolean readsContext() {
    return readsContext;
  }

  /** The plan for {@code environment}: its overrides, or the base definition. */
  public Plan plan(@Nullable String environment) {
    if (environment == null || environments.isEmpty()) {
      return base;
    }
    Plan plan = environments.get(environment);
    return plan == null ? base : plan;
  }

  /**
   * The typed result every evaluation of this flag gets, when it reads no context and serves its
   * default variant (enabled, no targeting, no environment overrides, not an object); else null.
   */
  public @Nullable EvaluationResult<?> staticResult() {
    return staticResult;
  }

  /** The generic (JSON) result of a successful outcome. */
  public EvaluationResult<JsonNode> jsonResult(int row) {
    EvaluationResult<JsonNode> r = jsonResults[row];
    if (type == VariantType.OBJECT) {
      // Object values are mutable Jackson trees; hand out copies so callers cannot change ours.
      return new EvaluationResult<>(
          key, r.value().deepCopy(), r.variant(), r.reason(), null, null, reportedMetadata);
    }
    return r;
  }

  /** The typed result of a successful outcome; callers check {@link #type()} first. */
  public EvaluationResult<?> typedResult(int row) {
    return type == VariantType.OBJECT ? jsonResult(row) : typedResults[row];
  }

  /** The whole-number result of a successful outcome, or null when the value has a fraction. */
  public @Nullable EvaluationResult<Long> longResult(int row) {
    return longResults[row];
  }

  /** The flag's key. */
  public String key() {
    return key;
  }

  /** The flag as written, including extensions; do not modify. */
  public JsonNode json() {
    return json;
  }

  /** The type of the variants. */
  public VariantType type() {
    return type;
  }

  /** Variant names in the order written. */
  public List<String> variantNames() {
    return variantNames;
  }

  /** Variant values by name; do not modify. */
  public Map<String, JsonNode> variants() {
    return variants;
  }

  /** The base definition (no environment). */
  public Plan base() {
    return base;
  }

  /** Environment overrides by environment name. */
  public Map<String, Plan> environments() {
    return environments;
  }

  /** The flag's own metadata. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** The metadata reported with results: the set's, overlaid with the flag's. */
  public Map<String, Object> reportedMetadata() {
    return reportedMetadata;
  }

  /** The owning team, from {@code metadata.owner}. */
  public @Nullable String owner() {
    return owner;
  }

  /** The planned removal date, from {@code metadata.expires}. */
  public @Nullable LocalDate expires() {
    return expires;
  }

  /** A hash of everything that decides this flag's evaluations. */
  public String fingerprint() {
    return fingerprint;
  }

  /** Whether the flag is served in {@code environment}. */
  public FlagState state(@Nullable String environment) {
    return plan(environment).state();
  }

  static JsonNode nullNode() {
    return JsonNodeFactory.instance.nullNode();
  }
}
