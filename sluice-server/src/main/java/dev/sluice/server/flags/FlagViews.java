package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagConfig;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.Problem;
import dev.sluice.server.api.Json;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagVersionRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/** The flag API's JSON shapes. */
final class FlagViews {
  private FlagViews() {}

  static ObjectNode flag(Flag flag, OptionalLong version, @Nullable Instant lastEvaluated) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("key", flag.key());
    o.put("type", flag.type().name().toLowerCase(Locale.ROOT));
    config(o, flag.config());
    ObjectNode variants = o.putObject("variants");
    flag.variants().forEach(variants::set);
    ObjectNode envs = o.putObject("environments");
    for (String env : flag.environments()) {
      config(envs.putObject(env), flag.config(env));
    }
    o.put("owner", flag.owner().orElse(null));
    o.put("expires", flag.expires().map(Object::toString).orElse(null));
    if (version.isPresent()) {
      o.put("version", version.getAsLong());
    } else {
      o.putNull("version");
    }
    o.put("lastEvaluatedAt", lastEvaluated == null ? null : lastEvaluated.toString());
    return o;
  }

  private static void config(ObjectNode o, FlagConfig c) {
    o.put("state", c.state().name());
    o.put("defaultVariant", c.defaultVariant().orElse(null));
    o.set("targeting", c.targeting().orElse(null));
  }

  static ObjectNode change(FlagChangeRecord c) {
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", c.version())
            .put("at", c.at().toString())
            .put("actor", c.actor())
            .put("action", c.action())
            .put("detail", c.detail());
    o.set("before", parse(c.before()));
    o.set("after", parse(c.after()));
    return o;
  }

  static ObjectNode version(FlagVersionRecord v) {
    return Json.MAPPER
        .createObjectNode()
        .put("version", v.version())
        .put("at", v.at().toString())
        .put("actor", v.actor())
        .put("action", v.action())
        .put("detail", v.detail());
  }

  static ObjectNode commit(FlagCommit c) {
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", c.version().version())
            .put("etag", c.version().flags().etag())
            .put("changed", c.changed());
    ArrayNode keys = o.putArray("changedKeys");
    c.changedKeys().forEach(keys::add);
    return o;
  }

  /** The body of a 400 for an invalid flag set: every problem, in the API's error shape. */
  static ObjectNode problems(String message, List<Problem> problems) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("error", message);
    ArrayNode list = o.putArray("problems");
    for (Problem p : problems) {
      list.addObject()
          .put("message", p.toString())
          .put("path", p.path())
          .put("value", p.value())
          .put("expected", p.expected());
    }
    return o;
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

  /** The set's document as a flagd consumer in {@code environment} needs it (null: all of it). */
  static JsonNode document(FlagSet set, @Nullable String environment) {
    JsonNode doc = parse(environment == null ? set.toJson() : set.toFlagdJson(environment));
    return doc == null ? Json.MAPPER.createObjectNode() : doc;
  }

  /** The entity tag of {@code set} as served for {@code environment}. */
  static String etag(FlagSet set, @Nullable String environment) {
    return environment == null ? set.etag() : tag(set.contentHash() + "/" + environment);
  }

  /** A strong entity tag for some content: a hash of it, quoted. */
  static String tag(String content) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Whether an {@code If-None-Match} header names {@code etag} (weak comparison, RFC 9110). */
  static boolean matches(@Nullable String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
