package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.spec.Durations;
import dev.sluice.server.api.ApiModule;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import dev.sluice.server.flags.FlagEditException.Kind;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The API of guarded flag rollouts ({@link FlagRollouts}):
 *
 * <ul>
 *   <li>{@code POST /api/v1/flags/{key}/rollout} ({@code operator}) {@code {"variant": "on",
 *       "steps": [5, 25, 50, 100], "interval": "30s", "analysis": ["error_rate", "latency_p99"]}},
 *       optionally {@code control}, {@code app}, {@code analysisInterval}, {@code minRequests},
 *       {@code failureLimit}: starts one; 201 with its status.
 *   <li>{@code GET /api/v1/flags/{key}/rollout} ({@code viewer}): its status; 404 when the flag
 *       never had one. Rollouts are stored, so this survives restarts and answers on every process
 *       sharing the store.
 *   <li>{@code POST /api/v1/flags/{key}/rollout/abort} ({@code operator}): stops it and puts the
 *       flag back as before.
 * </ul>
 */
public final class FlagRolloutsApi implements ApiModule {
  private static final String FIELDS =
      "a JSON object with variant, steps, interval, analysis (and control, app,"
          + " analysisInterval, minRequests, failureLimit)";

  private final FlagRollouts rollouts;

  public FlagRolloutsApi(FlagRollouts rollouts) {
    this.rollouts = rollouts;
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    config.routes.post(
        "/api/v1/flags/{key}/rollout",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          FlagRollouts.Plan plan = plan(ctx.pathParam("key"), ctx.body());
          reply(ctx.status(201), rollouts.start(plan, p.name()));
        });
    config.routes.get(
        "/api/v1/flags/{key}/rollout",
        ctx -> {
          auth.require(ctx, Role.VIEWER);
          String key = ctx.pathParam("key");
          reply(
              ctx,
              rollouts
                  .status(key)
                  .orElseThrow(
                      () ->
                          new FlagEditException(
                              Kind.NOT_FOUND, "flag " + key + " never had a rollout")));
        });
    config.routes.post(
        "/api/v1/flags/{key}/rollout/abort",
        ctx -> {
          Principal p = auth.require(ctx, Role.OPERATOR);
          Requests.object(ctx.body(), "an empty JSON object");
          reply(ctx, rollouts.abort(ctx.pathParam("key"), p.name()));
        });
  }

  static FlagRollouts.Plan plan(String key, String body) {
    ObjectNode o =
        Requests.object(
            body,
            FIELDS,
            "variant",
            "control",
            "app",
            "steps",
            "interval",
            "analysis",
            "analysisInterval",
            "minRequests",
            "failureLimit");
    String variant = Requests.string(o, "variant", "the variant to roll out");
    if (variant == null) {
      throw missing("variant", "the variant to roll out, e.g. \"on\"");
    }
    List<Integer> steps = new ArrayList<>();
    JsonNode s = o.path("steps");
    if (!(s instanceof ArrayNode)) {
      throw missingOr(s, "steps", "weights in percent, e.g. [5, 25, 50, 100]");
    }
    for (JsonNode n : s) {
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw new FlagEditException(
            Kind.INVALID,
            "request body: steps: "
                + Requests.describe(n)
                + " (expected: whole-number weights in percent)");
      }
      steps.add(n.intValue());
    }
    List<String> metrics = new ArrayList<>();
    JsonNode a = o.path("analysis");
    if (!(a instanceof ArrayNode)) {
      throw missingOr(a, "analysis", "metric names, e.g. [\"error_rate\", \"latency_p99\"]");
    }
    for (JsonNode n : a) {
      if (!n.isTextual()) {
        throw new FlagEditException(
            Kind.INVALID,
            "request body: analysis: " + Requests.describe(n) + " (expected: metric names)");
      }
      metrics.add(n.textValue());
    }
    Duration interval = duration(o, "interval", null);
    Duration analysisInterval =
        duration(o, "analysisInterval", min(interval, Duration.ofSeconds(5)));
    return new FlagRollouts.Plan(
        key,
        Requests.string(o, "app", "an app name"),
        variant,
        Requests.string(o, "control", "a variant name"),
        steps,
        interval,
        metrics,
        analysisInterval,
        number(o, "minRequests", 10),
        (int) number(o, "failureLimit", 0));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  private static Duration duration(ObjectNode o, String field, Duration def) {
    String text = Requests.string(o, field, "a duration like 30s");
    if (text == null) {
      if (def == null) {
        throw missing(field, "a duration like 30s");
      }
      return def;
    }
    Duration d = Durations.parse(text);
    if (d == null) {
      throw new FlagEditException(
          Kind.INVALID,
          "request body: " + field + ": \"" + text + "\" (expected: a duration like 30s)");
    }
    return d;
  }

  private static long number(ObjectNode o, String field, long def) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.isIntegralNumber() || n.longValue() < 0) {
      throw new FlagEditException(
          Kind.INVALID,
          "request body: "
              + field
              + ": "
              + Requests.describe(n)
              + " (expected: a whole number 0 or more)");
    }
    return n.longValue();
  }

  private static FlagEditException missing(String field, String expected) {
    return new FlagEditException(
        Kind.INVALID, "request body: " + field + ": missing (expected: " + expected + ")");
  }

  private static FlagEditException missingOr(JsonNode v, String field, String expected) {
    return v.isMissingNode()
        ? missing(field, expected)
        : new FlagEditException(
            Kind.INVALID,
            "request body: "
                + field
                + ": "
                + Requests.describe(v)
                + " (expected: "
                + expected
                + ")");
  }

  private static void reply(Context ctx, FlagRollouts.Status s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("key", s.key())
        .put("app", s.app())
        .put("variant", s.variant())
        .put("control", s.control());
    ArrayNode steps = o.putArray("steps");
    s.steps().forEach(steps::add);
    o.put("step", s.step() + 1)
        .put("weight", s.steps().get(s.step()))
        .put("state", s.state().name())
        .put("reason", s.reason())
        .put("actor", s.actor())
        .put("startedAt", s.startedAt().toString())
        .put("endedAt", s.endedAt() == null ? null : s.endedAt().toString())
        .put("lastAnalysis", s.lastAnalysis());
    ArrayNode events = o.putArray("events");
    s.events().forEach(events::add);
    ctx.contentType("application/json").result(Json.write(o));
  }
}
