package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.server.flags.FlagEditException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.jspecify.annotations.Nullable;

/**
 * The edits the admin API and CLI offer, written as changes to the flag set's JSON document. Each
 * returns the whole new set, validated by the engine ({@link FlagSet#of}), so an edit that would
 * make a definition invalid throws {@link dev.sluice.flags.InvalidFlagSetException} and changes
 * nothing.
 */
final class FlagEdits {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** A new set and how to describe the edit that made it. */
  record Edited(FlagSet next, String action, String detail) {}

  private FlagEdits() {}

  static ObjectNode document(FlagSet set) {
    try {
      return (ObjectNode) MAPPER.readTree(set.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a flag set always serializes to an object", e);
    }
  }

  private static ObjectNode flags(ObjectNode doc) {
    JsonNode flags = doc.get("flags");
    return flags instanceof ObjectNode o ? o : doc.putObject("flags");
  }

  private static ObjectNode flag(ObjectNode doc, String key) {
    JsonNode flag = flags(doc).get(key);
    if (!(flag instanceof ObjectNode o)) {
      throw new FlagEditException(Kind.NOT_FOUND, "no flag named " + key);
    }
    return o;
  }

  /** The object an edit writes to: the flag itself, or its overrides for {@code environment}. */
  private static ObjectNode target(ObjectNode flag, @Nullable String environment) {
    if (environment == null) {
      return flag;
    }
    JsonNode envs = flag.get("environments");
    ObjectNode environments = envs instanceof ObjectNode o ? o : flag.putObject("environments");
    JsonNode env = environments.get(environment);
    return env instanceof ObjectNode o ? o : environments.putObject(environment);
  }

  private static String in(@Nullable String environment) {
    return environment == null ? "" : " in " + environment;
  }

  static Edited put(FlagSet current, String key, JsonNode definition) {
    if (!definition.isObject()) {
      throw new FlagEditException(
          Kind.INVALID, "request body: a JSON " + kind(definition) + " (expected: a flag object)");
    }
    ObjectNode doc = document(current);
    boolean exists = flags(doc).has(key);
    flags(doc).set(key, definition.deepCopy());
    return new Edited(FlagSet.of(doc), "put", (exists ? "replaced" : "created") + " flag " + key);
  }

  static Edited delete(FlagSet current, String key) {
    ObjectNode doc = document(current);
    flag(doc, key);
    flags(doc).remove(key);
    return new Edited(FlagSet.of(doc), "delete", "deleted flag " + key);
  }

  static Edited setState(
      FlagSet current, String key, FlagState state, @Nullable String environment) {
    ObjectNode doc = document(current);
    target(flag(doc, key), environment).put("state", state.name());
    String verb = state == FlagState.ENABLED ? "enable" : "disable";
    return new Edited(FlagSet.of(doc), verb, verb + "d " + key + in(environment));
  }

  static Edited setDefaultVariant(
      FlagSet current, String key, @Nullable String variant, @Nullable String environment) {
    ObjectNode doc = document(current);
    ObjectNode target = target(flag(doc, key), environment);
    if (variant == null) {
      target.putNull("defaultVariant");
    } else {
      target.put("defaultVariant", variant);
    }
    return new Edited(
        FlagSet.of(doc),
        "set-default",
        "set the default variant of "
            + key
            + " to "
            + (variant == null ? "none (the caller's default)" : variant)
            + in(environment));
  }

  /**
   * Sets the weights of the flag's percentage rollout: the one {@code fractional} in its targeting
   * (in {@code environment}, where the environment's own targeting wins over the flag's), keeping a
   * bucketing expression written before the buckets; a flag without targeting gets a rollout as its
   * targeting. Targeting with no rollout, or with several, is refused: which part to change would
   * be a guess.
   */
  static Edited setWeights(
      FlagSet current,
      String key,
      SequencedMap<String, Integer> weights,
      @Nullable String environment) {
    if (weights.isEmpty() || weights.values().stream().allMatch(w -> w == 0)) {
      throw new FlagEditException(
          Kind.INVALID, "weights: " + weights + " (expected: at least one weight above 0)");
    }
    ObjectNode doc = document(current);
    ObjectNode flag = flag(doc, key);
    ObjectNode target = target(flag, environment);
    JsonNode targeting = target.has("targeting") ? target.get("targeting") : flag.get("targeting");
    ArrayNode buckets = MAPPER.createArrayNode();
    weights.forEach((variant, weight) -> buckets.addArray().add(variant).add(weight));
    JsonNode next;
    if (targeting == null || targeting.isNull() || targeting.isEmpty()) {
      next = MAPPER.createObjectNode().set("fractional", buckets);
    } else {
      next = targeting.deepCopy();
      List<ArrayNode> rollouts = new ArrayList<>();
      findFractional(next, rollouts);
      String where = "flags." + key + (environment == null ? "" : ".environments." + environment);
      if (rollouts.size() != 1) {
        throw new FlagEditException(
            Kind.CONFLICT,
            where
                + ".targeting has "
                + (rollouts.isEmpty() ? "no percentage rollout" : rollouts.size() + " rollouts")
                + " (expected: exactly one fractional to set weights on); edit the targeting"
                + " and import it instead");
      }
      ArrayNode rollout = rollouts.get(0);
      JsonNode bucketBy = rollout.size() > 0 && !rollout.get(0).isArray() ? rollout.get(0) : null;
      rollout.removeAll();
      if (bucketBy != null) {
        rollout.add(bucketBy);
      }
      rollout.addAll(buckets);
    }
    target.set("targeting", next);
    List<String> parts = new ArrayList<>();
    weights.forEach((v, w) -> parts.add(v + " " + w));
    return new Edited(
        FlagSet.of(doc),
        "set-weights",
        "set the weights of " + key + " to " + String.join(", ", parts) + in(environment));
  }

  private static void findFractional(JsonNode node, List<ArrayNode> out) {
    if (node instanceof ObjectNode o
        && o.size() == 1
        && o.get("fractional") instanceof ArrayNode args) {
      out.add(args);
      return;
    }
    for (JsonNode child : node) {
      findFractional(child, out);
    }
  }

  /**
   * The set in {@code incoming} merged into the current one: its flags and shared rules replace
   * those with the same names, its set metadata entries are added, everything else stays.
   */
  static Edited merge(FlagSet current, FlagSet incoming) {
    ObjectNode doc = document(current);
    ObjectNode in = document(incoming);
    for (Map.Entry<String, JsonNode> e : in.properties()) {
      JsonNode mine = doc.get(e.getKey());
      if (e.getValue() instanceof ObjectNode theirs && mine instanceof ObjectNode o) {
        theirs.properties().forEach(f -> o.set(f.getKey(), f.getValue()));
      } else {
        doc.set(e.getKey(), e.getValue());
      }
    }
    return new Edited(
        FlagSet.of(doc),
        "import",
        "merged "
            + incoming.flags().size()
            + " flags: "
            + String.join(", ", incoming.flags().keySet()));
  }

  static Edited replace(FlagSet incoming, String action, String what) {
    return new Edited(incoming, action, what + " (" + incoming.flags().size() + " flags)");
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
