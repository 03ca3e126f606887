package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.CompiledFlag;
import dev.sluice.flags.internal.Plan;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One flag of a {@link FlagSet}: its variants, its base configuration, its per-environment
 * overrides and its lifecycle metadata ({@code metadata.owner}, {@code metadata.expires}).
 * Immutable; the JSON values it returns are copies.
 */
public final class Flag {
  private final CompiledFlag model;

  Flag(CompiledFlag model) {
    this.model = model;
  }

  /** The flag's key. */
  public String key() {
    return model.key();
  }

  /** The type every variant has. */
  public VariantType type() {
    return model.type();
  }

  /** Variant names in the order written. */
  public List<String> variantNames() {
    return model.variantNames();
  }

  /** Variant values by name, in the order written (copies). */
  public Map<String, JsonNode> variants() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    model.variants().forEach((k, v) -> out.put(k, v.deepCopy()));
    return out;
  }

  /** The base configuration, outside any environment. */
  public FlagConfig config() {
    return config(null);
  }

  /** The configuration in {@code environment}: the base one with that environment's overrides. */
  public FlagConfig config(@Nullable String environment) {
    Plan plan = model.plan(environment);
    JsonNode targeting = plan.targetingJson();
    return new FlagConfig(
        plan.state(),
        Optional.ofNullable(plan.defaultVariant()),
        Optional.ofNullable(targeting == null ? null : targeting.deepCopy()));
  }

  /** The environments this flag overrides. */
  public Set<String> environments() {
    return model.environments().keySet();
  }

  /** The flag's own {@code metadata}: strings, booleans, Longs and Doubles. */
  public Map<String, Object> metadata() {
    return model.metadata();
  }

  /** The owning team, from {@code metadata.owner}. */
  public Optional<String> owner() {
    return Optional.ofNullable(model.owner());
  }

  /** The date the flag is due to be removed, from {@code metadata.expires}. */
  public Optional<LocalDate> expires() {
    return Optional.ofNullable(model.expires());
  }

  /** True when the flag has an expiry date before {@code today}. */
  public boolean isExpired(LocalDate today) {
    return model.expires() != null && model.expires().isBefore(today);
  }

  /** The flag as written, with Sluice's extensions (a copy). */
  public JsonNode toJson() {
    return model.json().deepCopy();
  }

  @Override
  public String toString() {
    return "Flag[" + key() + ", " + type() + ", " + variantNames() + "]";
  }
}
