package dev.sluice.server.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagConfig;
import dev.sluice.flags.Problem;
import dev.sluice.server.api.Json;
import dev.sluice.server.flags.StaleFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The flags page's JSON: a flag with its state, variants, environments, owner, expiry, stale marks
 * and its percentage rollout (the weights of its one {@code fractional}, with the percentages they
 * make), and the problems of an invalid change.
 */
final class FlagJson {
  private FlagJson() {}

  static ObjectNode flag(
      Flag f, OptionalLong changed, @Nullable Instant lastEvaluated, @Nullable StaleFlag stale) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("key", f.key());
    o.put("type", f.type().name().toLowerCase(Locale.ROOT));
    config(o, f.config());
    ObjectNode variants = o.putObject("variants");
    f.variants().forEach(variants::set);
    ObjectNode envs = o.putObject("environments");
    for (String env : new TreeSet<>(f.environments())) {
      config(envs.putObject(env), f.config(env));
    }
    o.put("owner", f.owner().orElse(null));
    o.put("expires", f.expires().map(Object::toString).orElse(null));
    if (changed.isPresent()) {
      o.put("changedInVersion", changed.getAsLong());
    } else {
      o.putNull("changedInVersion");
    }
    o.put("lastEvaluatedAt", lastEvaluated == null ? null : lastEvaluated.toString());
    ArrayNode marks = o.putArray("stale");
    if (stale != null) {
      for (StaleFlag.Reason r : stale.reasons()) {
        marks
            .addObject()
            .put("kind", r.kind().name().toLowerCase(Locale.ROOT))
            .put("detail", r.detail());
      }
    }
    return o;
  }

  /** A configuration's state, default variant, targeting and rollout (its one fractional). */
  static void config(ObjectNode o, FlagConfig c) {
    o.put("state", c.state().name());
    o.put("defaultVariant", c.defaultVariant().orElse(null));
    JsonNode targeting = c.targeting().orElse(null);
    o.set("targeting", targeting);
    List<ArrayNode> fractionals = new ArrayList<>();
    if (targeting != null) {
      findFractional(targeting, fractionals);
    }
    o.put("rollouts", fractionals.size());
    if (fractionals.size() != 1) {
      o.putNull("rollout");
      return;
    }
    ArrayNode rollout = o.putArray("rollout");
    List<ObjectNode> buckets = new ArrayList<>();
    long total = 0;
    for (JsonNode arg : fractionals.get(0)) {
      // flagd: ["variant", weight] buckets, the weight defaulting to 1; a first argument that is
      // not a bucket is the bucketing value.
      if (arg.isArray() && !arg.isEmpty() && arg.get(0).isTextual()) {
        long weight = arg.size() > 1 && arg.get(1).canConvertToLong() ? arg.get(1).asLong() : 1;
        total += weight;
        buckets.add(
            Json.MAPPER
                .createObjectNode()
                .put("variant", arg.get(0).asText())
                .put("weight", weight));
      }
    }
    for (ObjectNode b : buckets) {
      b.put("percent", total == 0 ? 0.0 : 100.0 * b.path("weight").asLong() / total);
      rollout.add(b);
    }
  }

  private static void findFractional(JsonNode node, List<ArrayNode> out) {
    if (node instanceof ObjectNode o
        && o.size() == 1
        && o.get("fractional") instanceof ArrayNode a) {
      out.add(a);
      return;
    }
    for (JsonNode child : node) {
      findFractional(child, out);
    }
  }

  static void problems(ObjectNode o, List<Problem> problems) {
    ArrayNode list = o.putArray("problems");
    for (Problem p : problems) {
      list.addObject()
          .put("message", p.toString())
          .put("path", p.path())
          .put("value", p.value())
          .put("expected", p.expected());
    }
  }

  static @Nullable JsonNode parse(@Nullable String json) {
    if (json == null) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored flag JSON does not parse", e);
    }
  }
}
