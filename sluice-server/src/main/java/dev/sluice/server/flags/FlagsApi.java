package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.server.api.ApiModule;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import dev.sluice.server.flags.FlagEditException.Kind;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagVersionRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.jspecify.annotations.Nullable;

/**
 * The flag admin API, the sync endpoint and the change stream, added to the control API.
 *
 * <p>Flags ({@code viewer} reads, {@code operator} changes):
 *
 * <ul>
 *   <li>{@code GET /api/v1/flags}: every flag with its state, variants, environments, owner,
 *       expiry, version of last change and last evaluation, plus the set's version.
 *   <li>{@code GET|POST|DELETE /api/v1/flags/{key}}: one flag; POST creates or replaces it with the
 *       flagd flag object in the body.
 *   <li>{@code POST /api/v1/flags/{key}/enable|disable} {@code {"environment": "production"}},
 *       {@code .../default} {@code {"variant": "on"}}, {@code .../weights} {@code {"weights":
 *       {"on": 10, "off": 90}}}; the environment is optional.
 *   <li>{@code GET /api/v1/flags/{key}/history}: the flag's audit trail, before and after.
 * </ul>
 *
 * <p>The whole set:
 *
 * <ul>
 *   <li>{@code GET /api/v1/flagset[?environment=E]} exports it (plain flagd for one environment);
 *       {@code POST /api/v1/flagset[?merge=true]} imports one.
 *   <li>{@code GET /api/v1/flagset/versions[?after=N&limit=M]} and {@code .../versions/{n}}.
 *   <li>{@code GET /api/v1/flagset/stale?days=30} lists removal candidates.
 *   <li>{@code GET /api/v1/flagset/sync} ({@code client}): the set for in-process evaluation, for
 *       the token's environment when it has one, with an ETag ({@code 304} on {@code
 *       If-None-Match}).
 *   <li>{@code GET /api/v1/flagset/changes} ({@code client}): the {@link ChangeStream}.
 *   <li>{@code POST /api/v1/flagset/evaluated} ({@code client}) {@code {"keys": [...]}}: flags an
 *       SDK evaluated in process, so staleness counts them.
 * </ul>
 *
 * <p>Every change accepts {@code ?ifVersion=N} and is refused with 409 when the set moved on. An
 * invalid change gets 400 with every problem and changes nothing. Close it before the API server,
 * so that open change streams end first.
 */
public final class FlagsApi implements ApiModule, AutoCloseable {
  static final String CHANGES = "/api/v1/flagset/changes";
  private static final String PRINCIPAL = "sluice.flags.principal";

  private final FlagService flags;
  private final ChangeStream changes;

  /** The API over {@code flags}, with a keep-alive comment every 15 s on change streams. */
  public FlagsApi(FlagService flags) {
    this(flags, Duration.ofSeconds(15));
  }

  public FlagsApi(FlagService flags, Duration keepAlive) {
    this.flags = flags;
    this.changes = new ChangeStream(flags, keepAlive);
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    config.routes.exception(
        InvalidFlagSetException.class,
        (e, ctx) ->
            ctx.status(400)
                .contentType("application/json")
                .result(
                    Json.write(
                        FlagViews.problems(
                            "the flags are not valid, so nothing changed: " + e.getMessage(),
                            e.problems()))));
    config.routes.exception(
        FlagEditException.class,
        (e, ctx) -> {
          int status =
              switch (e.kind()) {
                case NOT_FOUND -> 404;
                case INVALID -> 400;
                case CONFLICT -> 409;
              };
          ctx.status(status)
              .contentType("application/json")
              .result(Json.write(Json.MAPPER.createObjectNode().put("error", e.getMessage())));
        });

    config.routes.get("/api/v1/flags", ctx -> list(ctx, auth.require(ctx, Role.VIEWER)));
    config.routes.get("/api/v1/flags/{key}", ctx -> get(ctx, auth.require(ctx, Role.VIEWER)));
    config.routes.post(
        "/api/v1/flags/{key}",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          JsonNode definition = Requests.json(ctx.body());
          reply(ctx, flags.put(key(ctx), definition, p.name(), ifVersion(ctx)));
        });
    config.routes.delete(
        "/api/v1/flags/{key}",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          Requests.object(ctx.body(), "an empty JSON object");
          reply(ctx, flags.delete(key(ctx), p.name(), ifVersion(ctx)));
        });
    config.routes.post("/api/v1/flags/{key}/enable", ctx -> state(ctx, auth, FlagState.ENABLED));
    config.routes.post("/api/v1/flags/{key}/disable", ctx -> state(ctx, auth, FlagState.DISABLED));
    config.routes.post(
        "/api/v1/flags/{key}/default",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          ObjectNode body =
              Requests.object(
                  ctx.body(),
                  "a JSON object with variant and environment",
                  "variant",
                  "environment");
          if (!body.has("variant")) {
            throw new FlagEditException(
                Kind.INVALID,
                "request body: variant: missing (expected: a variant name, or null for the"
                    + " caller's default)");
          }
          String variant = Requests.string(body, "variant", "a variant name, or null");
          reply(
              ctx,
              flags.setDefaultVariant(
                  key(ctx), variant, Requests.environment(body), p.name(), ifVersion(ctx)));
        });
    config.routes.post("/api/v1/flags/{key}/weights", ctx -> weights(ctx, auth));
    config.routes.get(
        "/api/v1/flags/{key}/history",
        ctx -> {
          auth.require(ctx, Role.VIEWER);
          String key = key(ctx);
          List<FlagChangeRecord> history = flags.history(key);
          if (history.isEmpty() && flags.current().flags().flag(key).isEmpty()) {
            throw new FlagEditException(Kind.NOT_FOUND, "no flag named " + key + ", now or ever");
          }
          ObjectNode o = Json.MAPPER.createObjectNode().put("key", key);
          ArrayNode list = o.putArray("changes");
          history.forEach(c -> list.add(FlagViews.change(c)));
          ctx.result(Json.write(o));
        });

    config.routes.get("/api/v1/flagset", ctx -> export(ctx, auth));
    config.routes.post(
        "/api/v1/flagset",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          FlagSet set = FlagSet.parse(ctx.bodyAsBytes());
          reply(
              ctx,
              flags.importSet(set, Requests.boolParam(ctx, "merge"), p.name(), ifVersion(ctx)));
        });
    config.routes.get(
        "/api/v1/flagset/versions",
        ctx -> {
          auth.require(ctx, Role.VIEWER);
          long after = Requests.longParam(ctx, "after", 0L);
          int limit = (int) Math.min(Requests.longParam(ctx, "limit", 100L), 1000);
          ObjectNode o = Json.MAPPER.createObjectNode().put("version", flags.current().version());
          ArrayNode list = o.putArray("versions");
          flags.versions(after, limit).forEach(v -> list.add(FlagViews.version(v)));
          ctx.result(Json.write(o));
        });
    config.routes.get(
        "/api/v1/flagset/versions/{version}",
        ctx -> {
          auth.require(ctx, Role.VIEWER);
          long n = version(ctx.pathParam("version"));
          FlagVersionRecord v =
              flags
                  .version(n)
                  .orElseThrow(
                      () -> new FlagEditException(Kind.NOT_FOUND, "no flag set version " + n));
          ObjectNode o = FlagViews.version(v);
          o.set("flags", FlagViews.parse(v.document()));
          ctx.result(Json.write(o));
        });
    config.routes.get("/api/v1/flagset/stale", ctx -> stale(ctx, auth));
    config.routes.get("/api/v1/flagset/sync", ctx -> sync(ctx, auth.require(ctx, Role.CLIENT)));
    config.routes.post(
        "/api/v1/flagset/evaluated",
        ctx -> {
          auth.require(ctx, Role.CLIENT);
          ObjectNode body = Requests.object(ctx.body(), "a JSON object with keys", "keys");
          JsonNode keys = body.path("keys");
          if (!keys.isArray()) {
            throw new FlagEditException(
                Kind.INVALID,
                "request body: keys: "
                    + (keys.isMissingNode() ? "missing" : Requests.describe(keys))
                    + " (expected: an array of flag keys)");
          }
          keys.forEach(k -> flags.recordEvaluation(k.asText()));
          ctx.status(204);
        });
    // The stream's token is checked before the SSE handler commits a 200, so a bad token gets a
    // real 401/403.
    config.routes.before(CHANGES, ctx -> ctx.attribute(PRINCIPAL, auth.require(ctx, Role.CLIENT)));
    config.routes.sse(
        CHANGES,
        client -> {
          Principal p = client.ctx().attribute(PRINCIPAL);
          changes.serve(client, p == null ? null : p.environment());
        });
  }

  private static String key(Context ctx) {
    return ctx.pathParam("key");
  }

  private static @Nullable Long ifVersion(Context ctx) {
    return Requests.longParam(ctx, "ifVersion", null);
  }

  private static long version(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new FlagEditException(
          Kind.INVALID, "version: \"" + text + "\" (expected: a whole number)");
    }
  }

  private static void reply(Context ctx, FlagCommit c) {
    ctx.result(Json.write(FlagViews.commit(c)));
  }

  private void list(Context ctx, Principal p) {
    FlagSetVersion v = flags.current();
    Map<String, Instant> evaluated = flags.lastEvaluated();
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", v.version())
            .put("etag", v.flags().etag())
            .put("updatedAt", v.at().toString());
    FlagFileStatus file = flags.fileStatus();
    if (file == null) {
      o.putNull("file");
    } else {
      o.putObject("file")
          .put("path", file.path().toString())
          .put("loadedAt", file.loadedAt() == null ? null : file.loadedAt().toString())
          .put("loadedVersion", file.loadedVersion())
          .put("error", file.error());
    }
    ArrayNode list = o.putArray("flags");
    for (Flag f : v.flags().flags().values()) {
      list.add(FlagViews.flag(f, flags.lastChanged(f.key()), evaluated.get(f.key())));
    }
    ctx.result(Json.write(o));
  }

  private void get(Context ctx, Principal p) {
    String key = key(ctx);
    FlagSetVersion v = flags.current();
    Flag f =
        v.flags()
            .flag(key)
            .orElseThrow(() -> new FlagEditException(Kind.NOT_FOUND, "no flag named " + key));
    ObjectNode o = FlagViews.flag(f, flags.lastChanged(key), flags.lastEvaluated().get(key));
    o.put("setVersion", v.version());
    o.set("definition", f.toJson());
    ctx.result(Json.write(o));
  }

  private void state(Context ctx, Authorizer auth, FlagState state) {
    Principal p = auth.require(ctx, Role.OPERATOR);
    ObjectNode body = Requests.object(ctx.body(), "a JSON object with environment", "environment");
    reply(
        ctx, flags.setState(key(ctx), state, Requests.environment(body), p.name(), ifVersion(ctx)));
  }

  private void weights(Context ctx, Authorizer auth) {
    Principal p = auth.require(ctx, Role.OPERATOR);
    ObjectNode body =
        Requests.object(
            ctx.body(), "a JSON object with weights and environment", "weights", "environment");
    JsonNode w = body.path("weights");
    String expected = "an object of variant names and whole-number weights, e.g. {\"on\": 10}";
    if (!w.isObject() || w.isEmpty()) {
      throw new FlagEditException(
          Kind.INVALID,
          "request body: weights: "
              + (w.isMissingNode() ? "missing" : Requests.describe(w))
              + " (expected: "
              + expected
              + ")");
    }
    SequencedMap<String, Integer> weights = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : w.properties()) {
      JsonNode n = e.getValue();
      if (!n.canConvertToInt() || !n.canConvertToExactIntegral() || n.asInt() < 0) {
        throw new FlagEditException(
            Kind.INVALID,
            "request body: weights."
                + e.getKey()
                + ": "
                + Requests.describe(n)
                + " (expected: a whole number from 0 to 2147483647)");
      }
      weights.put(e.getKey(), n.asInt());
    }
    reply(
        ctx,
        flags.setWeights(key(ctx), weights, Requests.environment(body), p.name(), ifVersion(ctx)));
  }

  private void export(Context ctx, Authorizer auth) {
    auth.require(ctx, Role.VIEWER);
    String environment = ctx.queryParam("environment");
    FlagSetVersion v = flags.current();
    String env = environment == null || environment.isEmpty() ? null : environment;
    ctx.header("ETag", FlagViews.etag(v.flags(), env));
    ctx.header("Sluice-Flags-Version", Long.toString(v.version()));
    ctx.result(env == null ? v.flags().toJson() : v.flags().toFlagdJson(env));
  }

  private void stale(Context ctx, Authorizer auth) {
    auth.require(ctx, Role.VIEWER);
    long days = Requests.longParam(ctx, "days", 30L);
    long unused = Requests.longParam(ctx, "unusedDays", days);
    long uniform = Requests.longParam(ctx, "uniformDays", days);
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("unusedDays", unused)
            .put("uniformDays", uniform)
            .put("version", flags.current().version());
    ArrayNode list = o.putArray("flags");
    for (StaleFlag s : flags.stale(Duration.ofDays(unused), Duration.ofDays(uniform))) {
      ObjectNode f =
          list.addObject()
              .put("key", s.key())
              .put("owner", s.owner())
              .put("expires", s.expires() == null ? null : s.expires().toString())
              .put(
                  "lastEvaluatedAt",
                  s.lastEvaluatedAt() == null ? null : s.lastEvaluatedAt().toString());
      ArrayNode reasons = f.putArray("reasons");
      for (StaleFlag.Reason r : s.reasons()) {
        reasons
            .addObject()
            .put("kind", r.kind().name().toLowerCase(java.util.Locale.ROOT))
            .put("detail", r.detail());
      }
    }
    ctx.result(Json.write(o));
  }

  private void sync(Context ctx, Principal p) {
    FlagSetVersion v = flags.current();
    String etag = FlagViews.etag(v.flags(), p.environment());
    ctx.header("ETag", etag);
    if (FlagViews.matches(ctx.header("If-None-Match"), etag)) {
      ctx.status(304);
      return;
    }
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("version", v.version())
            .put("etag", etag)
            .put("environment", p.environment());
    o.set("flags", FlagViews.document(v.flags(), p.environment()));
    ctx.result(Json.write(o));
  }

  /** Ends the open change streams. */
  @Override
  public void close() {
    changes.close();
  }
}
