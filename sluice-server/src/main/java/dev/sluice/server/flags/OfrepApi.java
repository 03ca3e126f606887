package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.ErrorCode;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.server.api.ApiModule;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * OFREP, the OpenFeature Remote Evaluation Protocol (open-feature/protocol, {@code
 * service/openapi.yaml}), so any OpenFeature SDK with an OFREP provider can evaluate Sluice flags.
 *
 * <ul>
 *   <li>{@code POST /ofrep/v1/evaluate/flags/{key}} with {@code {"context": {...}}}: 200 {@code
 *       {key, value, reason, variant, metadata}}; 404 {@code {key, errorCode: FLAG_NOT_FOUND,
 *       errorDetails}}; 400 {@code {key, errorCode, errorDetails}} for {@code PARSE_ERROR}, {@code
 *       TARGETING_KEY_MISSING}, {@code INVALID_CONTEXT} and {@code GENERAL}.
 *   <li>{@code POST /ofrep/v1/evaluate/flags}: 200 {@code {flags: [...], metadata}} with every
 *       enabled flag (errors as items), an {@code ETag}, and 304 when {@code If-None-Match} names
 *       it; 400 {@code {errorCode, errorDetails}} for a body it cannot read.
 *   <li>{@code GET /ofrep/v1/configuration}: what this server supports.
 * </ul>
 *
 * <p>A token is needed ({@code Authorization: Bearer} or {@code X-API-Key}; 401 without a valid
 * one); every role may evaluate, {@code client} may do nothing else. The environment comes from the
 * token when it has one (it wins), else from the context's {@code environment}.
 *
 * <p>When no variant applies (the flag is disabled, or has no default variant and targeting chose
 * nothing) the answer leaves {@code value} out, which tells the SDK to use the code's default
 * (OFREP ADR 0006). The bulk ETag is a hash of the answer itself, because the answer depends on the
 * context as much as on the flags. Bulk answers also carry {@code refreshConnections} naming the
 * change stream (OFREP ADR 0008). Evaluations are recorded for {@link FlagService#stale}: a bulk
 * evaluation counts for every flag it returns, since which of them the app then reads is not known,
 * and calling a used flag unused would be the worse mistake.
 */
public final class OfrepApi implements ApiModule {
  private final FlagService flags;

  public OfrepApi(FlagService flags) {
    this.flags = flags;
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    config.routes.post(
        "/ofrep/v1/evaluate/flags/{key}", ctx -> single(ctx, auth.require(ctx, Role.CLIENT)));
    config.routes.post(
        "/ofrep/v1/evaluate/flags", ctx -> bulk(ctx, auth.require(ctx, Role.CLIENT)));
    config.routes.get(
        "/ofrep/v1/configuration",
        ctx -> {
          auth.require(ctx, Role.CLIENT);
          ObjectNode o = Json.MAPPER.createObjectNode().put("name", "Sluice");
          ObjectNode capabilities = o.putObject("capabilities");
          capabilities
              .putObject("cacheInvalidation")
              .putObject("polling")
              .put("enabled", true)
              .put("minPollingIntervalMs", 1000);
          ArrayNode types = capabilities.putObject("flagEvaluation").putArray("supportedTypes");
          for (String t : new String[] {"boolean", "string", "int", "float", "object"}) {
            types.add(t);
          }
          ctx.result(Json.write(o));
        });
  }

  /** A request the protocol answers with 400 and an error code. */
  private record BadRequest(ErrorCode code, String details) {}

  /** The request's context, or why it cannot be read. */
  private static Object context(Context ctx, Principal p) {
    JsonNode body;
    try {
      body = Requests.json(ctx.body());
    } catch (FlagEditException e) {
      return new BadRequest(ErrorCode.PARSE_ERROR, e.getMessage());
    }
    if (!body.isObject()) {
      return new BadRequest(
          ErrorCode.PARSE_ERROR,
          "request body: " + Requests.describe(body) + " (expected: {\"context\": {...}})");
    }
    JsonNode context = body.path("context");
    if (context.isMissingNode() || context.isNull()) {
      context = Json.MAPPER.createObjectNode();
    }
    if (!context.isObject()) {
      return new BadRequest(
          ErrorCode.INVALID_CONTEXT,
          "context: " + Requests.describe(context) + " (expected: an object)");
    }
    EvaluationContext ec = EvaluationContext.fromJson(context);
    return p.environment() == null ? ec : ec.toBuilder().environment(p.environment()).build();
  }

  private void single(Context ctx, Principal p) {
    String key = ctx.pathParam("key");
    Object context = context(ctx, p);
    if (context instanceof BadRequest bad) {
      ctx.status(400).result(Json.write(failure(key, bad.code(), bad.details())));
      return;
    }
    EvaluationResult<JsonNode> r = flags.evaluator().value(key, (EvaluationContext) context);
    if (r.errorCode() == ErrorCode.FLAG_NOT_FOUND) {
      ctx.status(404).result(Json.write(failure(key, r.errorCode(), r.errorMessage())));
      return;
    }
    flags.recordEvaluation(key);
    if (r.errorCode() != null) {
      ctx.status(400).result(Json.write(failure(key, r.errorCode(), r.errorMessage())));
      return;
    }
    ctx.result(Json.write(success(r)));
  }

  private void bulk(Context ctx, Principal p) {
    Object context = context(ctx, p);
    if (context instanceof BadRequest bad) {
      ObjectNode o =
          Json.MAPPER
              .createObjectNode()
              .put("errorCode", bad.code().name())
              .put("errorDetails", bad.details());
      ctx.status(400).result(Json.write(o));
      return;
    }
    Map<String, EvaluationResult<JsonNode>> all =
        flags.evaluator().evaluateAll((EvaluationContext) context);
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode list = o.putArray("flags");
    for (EvaluationResult<JsonNode> r : all.values()) {
      flags.recordEvaluation(r.flagKey());
      list.add(
          r.errorCode() == null
              ? success(r)
              : failure(r.flagKey(), r.errorCode(), r.errorMessage()));
    }
    o.set("metadata", Json.MAPPER.valueToTree(flags.current().flags().metadata()));
    o.putArray("refreshConnections")
        .addObject()
        .put("type", "sse")
        .put("url", ctx.scheme() + "://" + ctx.host() + FlagsApi.CHANGES);
    String body = Json.write(o);
    String etag = FlagViews.tag(body);
    ctx.header("ETag", etag);
    if (FlagViews.matches(ctx.header("If-None-Match"), etag)) {
      ctx.status(304);
      return;
    }
    ctx.result(body);
  }

  private static ObjectNode success(EvaluationResult<JsonNode> r) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("key", r.flagKey());
    if (!r.value().isNull()) {
      o.set("value", r.value());
    }
    o.put("reason", r.reason().name());
    if (r.variant() != null) {
      o.put("variant", r.variant());
    }
    o.set("metadata", Json.MAPPER.valueToTree(r.flagMetadata()));
    return o;
  }

  private static ObjectNode failure(String key, ErrorCode code, @Nullable String details) {
    return Json.MAPPER
        .createObjectNode()
        .put("key", key)
        .put("errorCode", code.name())
        .put("errorDetails", details == null ? code.name() : details);
  }
}
