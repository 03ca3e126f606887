package dev.sluice.flags.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.FlagState;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A validated, compiled flag set: the document as written (for serialization) and the compiled
 * flags (for evaluation). Immutable once built; the JSON it holds is never handed out unless
 * copied.
 */
public final class ParsedFlagSet {
  private final JsonNode document;
  private final Map<String, CompiledFlag> flags;
  // Lookups: an open-addressed table indexed by a mask (Map.copyOf's tables divide, floorMod,
  // and HashMap's nodes add a load); slot i holds keys[i] and its flag in byKey[i].
  private final String[] keys;
  private final CompiledFlag[] byKey;
  private final Map<String, Object> metadata;
  private final String contentHash;
  private final Set<String> environments;

  ParsedFlagSet(
      JsonNode document,
      Map<String, CompiledFlag> flags,
      Map<String, Object> metadata,
      String contentHash) {
    this.document = document;
    this.flags = Map.copyOf(flags);
    int size = Integer.highestOneBit(Math.max(2, this.flags.size()) * 2 - 1) * 2;
    this.keys = new String[size];
    this.byKey = new CompiledFlag[size];
    for (Map.Entry<String, CompiledFlag> e : this.flags.entrySet()) {
      int i = slot(e.getKey());
      while (keys[i] != null) {
        i = (i + 1) & (size - 1);
      }
      keys[i] = e.getKey();
      byKey[i] = e.getValue();
    }
    this.metadata = metadata;
    this.contentHash = contentHash;
    Set<String> envs = new TreeSet<>();
    flags.values().forEach(f -> envs.addAll(f.environments().keySet()));
    this.environments = Set.copyOf(envs);
  }

  /** The flag with {@code key}, or null. */
  public @Nullable CompiledFlag flag(String key) {
    for (int i = slot(key); ; i = (i + 1) & (keys.length - 1)) {
      String k = keys[i];
      if (k == null) {
        return null;
      }
      if (k == key || k.equals(key)) {
        return byKey[i];
      }
    }
  }

  private int slot(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (keys.length - 1);
  }

  /** All flags by key. */
  public Map<String, CompiledFlag> flags() {
    return flags;
  }

  /** The set-level metadata. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** Hex SHA-256 of the document's canonical form. */
  public String contentHash() {
    return contentHash;
  }

  /** Every environment some flag overrides. */
  public Set<String> environments() {
    return environments;
  }

  /** The document as written, with Sluice's extensions, pretty-printed. */
  public String toJson() {
    return write(document);
  }

  /**
   * The document as plain flagd reads it: the overrides of {@code environment} applied (none when
   * it is null or unknown to a flag) and the {@code environments} extension removed.
   */
  public String toFlagdJson(@Nullable String environment) {
    JsonNode copy = document.deepCopy();
    JsonNode flagsNode = copy.get("flags");
    if (flagsNode != null && flagsNode.isObject()) {
      for (Map.Entry<String, JsonNode> e : flagsNode.properties()) {
        ObjectNode flag = (ObjectNode) e.getValue();
        JsonNode overrides = flag.remove("environments");
        CompiledFlag compiled = flags.get(e.getKey());
        if (environment == null
            || overrides == null
            || compiled == null
            || !overrides.has(environment)) {
          continue;
        }
        Plan plan = compiled.plan(environment);
        flag.put("state", plan.state() == FlagState.ENABLED ? "ENABLED" : "DISABLED");
        if (plan.defaultVariant() == null) {
          flag.putNull("defaultVariant");
        } else {
          flag.put("defaultVariant", plan.defaultVariant());
        }
        if (plan.targetingJson() == null) {
          flag.remove("targeting");
        } else {
          flag.set("targeting", plan.targetingJson().deepCopy());
        }
      }
    }
    return write(copy);
  }

  /** A copy of the document. */
  public JsonNode document() {
    return document.deepCopy();
  }

  private static String write(JsonNode json) {
    try {
      return FlagSetParser.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed document always serializes", e);
    }
  }
}
