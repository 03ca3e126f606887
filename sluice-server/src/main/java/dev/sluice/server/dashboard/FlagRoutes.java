package dev.sluice.server.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Role;
import dev.sluice.server.dashboard.Sessions.Session;
import dev.sluice.server.flags.FlagCommit;
import dev.sluice.server.flags.FlagEditException;
import dev.sluice.server.flags.FlagFileStatus;
import dev.sluice.server.flags.FlagService;
import dev.sluice.server.flags.FlagSetVersion;
import dev.sluice.server.flags.StaleFlag;
import dev.sluice.store.FlagChangeRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The flags page's calls under {@code /ui/api/flags}: the list with rollout percentages and stale
 * marks, one flag with its definition and audit history, edits (state, default variant, rollout
 * weights, targeting) through {@link FlagService} with its validation and audit, a dry run of a
 * targeting change, and an evaluation that says which variant a context gets and why.
 *
 * <p>Evaluations from this page are not recorded as uses of the flag: someone trying a context out
 * does not make a flag look used to {@code sluice flags stale}.
 */
final class FlagRoutes {
  /** Flags past these periods without use, or serving one value to all, are marked stale. */
  static final Duration STALE_AFTER = Duration.ofDays(30);

  private final FlagService flags;
  private final Sessions sessions;
  private final Authorizer auth;

  FlagRoutes(FlagService flags, Sessions sessions, Authorizer auth) {
    this.flags = flags;
    this.sessions = sessions;
    this.auth = auth;
  }

  void routes(JavalinConfig config) {
    config.routes.get("/ui/api/flags", this::list);
    config.routes.get("/ui/api/flags/{key}", this::get);
    config.routes.post("/ui/api/flags/{key}/state", this::state);
    config.routes.post("/ui/api/flags/{key}/default", this::defaultVariant);
    config.routes.post("/ui/api/flags/{key}/weights", this::weights);
    config.routes.post("/ui/api/flags/{key}/targeting", this::targeting);
    config.routes.post("/ui/api/flags/{key}/evaluate", this::evaluate);
  }

  private void list(Context ctx) {
    sessions.read(ctx);
    FlagSetVersion v = flags.current();
    Map<String, Instant> evaluated = flags.lastEvaluated();
    Map<String, StaleFlag> stale = new LinkedHashMap<>();
    for (StaleFlag s : flags.stale(STALE_AFTER, STALE_AFTER)) {
      stale.put(s.key(), s);
    }
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", v.version())
            .put("updatedAt", v.at().toString())
            .put("staleDays", STALE_AFTER.toDays());
    FlagFileStatus file = flags.fileStatus();
    if (file == null) {
      o.putNull("file");
    } else {
      o.putObject("file")
          .put("path", file.path().getFileName().toString())
          .put("loadedAt", file.loadedAt() == null ? null : file.loadedAt().toString())
          .put("error", file.error());
    }
    ArrayNode envs = o.putArray("environments");
    new TreeSet<>(v.flags().environments()).forEach(envs::add);
    ArrayNode list = o.putArray("flags");
    for (Flag f : v.flags().flags().values()) {
      list.add(
          FlagJson.flag(f, flags.lastChanged(f.key()), evaluated.get(f.key()), stale.get(f.key())));
    }
    ok(ctx, o);
  }

  private void get(Context ctx) {
    sessions.read(ctx);
    String key = ctx.pathParam("key");
    FlagSetVersion v = flags.current();
    Flag f = v.flags().flag(key).orElseThrow(() -> auth.fail(404, "no flag named " + key));
    StaleFlag stale = null;
    for (StaleFlag s : flags.stale(STALE_AFTER, STALE_AFTER)) {
      if (s.key().equals(key)) {
        stale = s;
      }
    }
    ObjectNode o = FlagJson.flag(f, flags.lastChanged(key), flags.lastEvaluated().get(key), stale);
    o.put("setVersion", v.version());
    o.set("definition", f.toJson());
    ArrayNode history = o.putArray("history");
    List<FlagChangeRecord> changes = new ArrayList<>(flags.history(key));
    java.util.Collections.reverse(changes);
    for (FlagChangeRecord c : changes) {
      ObjectNode h =
          history
              .addObject()
              .put("version", c.version())
              .put("at", c.at().toString())
              .put("actor", c.actor())
              .put("action", c.action())
              .put("detail", c.detail());
      h.set("before", FlagJson.parse(c.before()));
      h.set("after", FlagJson.parse(c.after()));
    }
    ok(ctx, o);
  }

  private void state(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    ObjectNode body = body(ctx);
    String state = text(body, "state");
    FlagState st;
    if ("ENABLED".equals(state)) {
      st = FlagState.ENABLED;
    } else if ("DISABLED".equals(state)) {
      st = FlagState.DISABLED;
    } else {
      throw auth.fail(400, "state: " + state + " (expected: ENABLED or DISABLED)");
    }
    commit(
        ctx,
        () ->
            flags.setState(key(ctx), st, environment(body), s.principal().name(), ifVersion(body)));
  }

  private void defaultVariant(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    ObjectNode body = body(ctx);
    String variant = text(body, "variant");
    commit(
        ctx,
        () ->
            flags.setDefaultVariant(
                key(ctx), variant, environment(body), s.principal().name(), ifVersion(body)));
  }

  private void weights(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    ObjectNode body = body(ctx);
    JsonNode w = body.path("weights");
    if (!w.isObject() || w.isEmpty()) {
      throw auth.fail(400, "weights: expected an object of variant names and whole numbers");
    }
    SequencedMap<String, Integer> weights = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : w.properties()) {
      JsonNode n = e.getValue();
      if (!n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() < 0) {
        throw auth.fail(
            400, "weights." + e.getKey() + ": " + n + " (expected: a whole number 0 or more)");
      }
      weights.put(e.getKey(), n.asInt());
    }
    commit(
        ctx,
        () ->
            flags.setWeights(
                key(ctx), weights, environment(body), s.principal().name(), ifVersion(body)));
  }

  /**
   * Replaces the targeting of the flag (or of one environment's override) with {@code targeting};
   * with {@code dryRun} it only says whether the set would stay valid, and what is wrong if not.
   */
  private void targeting(Context ctx) {
    Session s = sessions.change(ctx, dryRun(ctx) ? Role.VIEWER : Role.OPERATOR);
    ObjectNode body = body(ctx);
    String key = key(ctx);
    JsonNode targeting = body.path("targeting");
    if (targeting.isMissingNode() || targeting.isNull()) {
      targeting = Json.MAPPER.createObjectNode();
    }
    if (!targeting.isObject()) {
      throw auth.fail(400, "targeting: expected a JSON Logic object ({} for none)");
    }
    Flag f =
        flags.current().flags().flag(key).orElseThrow(() -> auth.fail(404, "no flag named " + key));
    ObjectNode definition = (ObjectNode) f.toJson();
    String env = environment(body);
    ObjectNode target =
        env == null
            ? definition
            : definition.withObjectProperty("environments").withObjectProperty(env);
    target.set("targeting", targeting);
    if (dryRun(ctx)) {
      ObjectNode doc = (ObjectNode) FlagJson.parse(flags.current().flags().toJson());
      doc.withObjectProperty("flags").set(key, definition);
      ObjectNode o = Json.MAPPER.createObjectNode();
      try {
        FlagSet.of(doc);
        o.put("valid", true);
      } catch (InvalidFlagSetException e) {
        o.put("valid", false);
        FlagJson.problems(o, e.problems());
      }
      ok(ctx, o);
      return;
    }
    commit(ctx, () -> flags.put(key, definition, s.principal().name(), ifVersion(body)));
  }

  private static boolean dryRun(Context ctx) {
    return "true".equals(ctx.queryParam("dryRun"));
  }

  /** Which variant a context gets, with the reason in words; not recorded as a use. */
  private void evaluate(Context ctx) {
    sessions.change(ctx, Role.VIEWER);
    ObjectNode body = body(ctx);
    String key = key(ctx);
    JsonNode context = body.path("context");
    if (context.isMissingNode() || context.isNull()) {
      context = Json.MAPPER.createObjectNode();
    }
    if (!context.isObject()) {
      throw auth.fail(400, "context: expected a JSON object, e.g. {\"targetingKey\": \"user-42\"}");
    }
    EvaluationContext ec = EvaluationContext.fromJson(context);
    String env = environment(body);
    if (env != null) {
      ec = ec.toBuilder().environment(env).build();
    }
    EvaluationResult<JsonNode> r = flags.evaluator().value(key, ec);
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("key", key)
            .put("variant", r.variant())
            .put("reason", r.reason().name())
            .put("errorCode", r.errorCode() == null ? null : r.errorCode().name())
            .put("errorMessage", r.errorMessage())
            .put("environment", ec.environment());
    o.set("value", r.value());
    o.put("why", Explanations.why(r, flags.current().flags().flag(key).orElse(null), ec));
    ok(ctx, o);
  }

  private interface Change {
    FlagCommit run();
  }

  private void commit(Context ctx, Change change) {
    FlagCommit c;
    try {
      c = change.run();
    } catch (FlagEditException e) {
      int status =
          switch (e.kind()) {
            case NOT_FOUND -> 404;
            case INVALID -> 400;
            case CONFLICT -> 409;
          };
      throw auth.fail(status, e.getMessage());
    } catch (InvalidFlagSetException e) {
      ObjectNode o =
          Json.MAPPER
              .createObjectNode()
              .put("error", "the flags would not be valid, so nothing changed: " + e.getMessage());
      FlagJson.problems(o, e.problems());
      ctx.status(400);
      ok(ctx, o);
      return;
    }
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", c.version().version())
            .put("changed", c.changed());
    ArrayNode keys = o.putArray("changedKeys");
    c.changedKeys().forEach(keys::add);
    ok(ctx, o);
  }

  private static String key(Context ctx) {
    return ctx.pathParam("key");
  }

  private ObjectNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      if (n instanceof ObjectNode o) {
        return o;
      }
    } catch (JsonProcessingException e) {
      throw auth.fail(400, "request body: not JSON: " + e.getOriginalMessage());
    }
    throw auth.fail(400, "request body: expected a JSON object");
  }

  private @Nullable String text(ObjectNode body, String field) {
    JsonNode n = body.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw auth.fail(400, field + ": " + n + " (expected: a string)");
    }
    return n.asText();
  }

  private @Nullable String environment(ObjectNode body) {
    String env = text(body, "environment");
    return env == null || env.isEmpty() ? null : env;
  }

  private @Nullable Long ifVersion(ObjectNode body) {
    JsonNode n = body.path("ifVersion");
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.canConvertToExactIntegral()) {
      throw auth.fail(400, "ifVersion: " + n + " (expected: a whole number)");
    }
    return n.asLong();
  }

  private static void ok(Context ctx, ObjectNode o) {
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("application/json").result(Json.write(o));
  }
}
