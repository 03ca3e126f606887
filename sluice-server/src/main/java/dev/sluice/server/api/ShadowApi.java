package dev.sluice.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.server.auth.Role;
import dev.sluice.server.control.Controller;
import io.javalin.config.JavalinConfig;
import java.util.Map;

/**
 * The shadow comparisons of an app: {@code GET /api/v1/apps/{app}/shadow/diffs} lists the most
 * recent pairs whose answers differed (what {@code sluice shadow diffs APP} prints).
 */
public final class ShadowApi implements ApiModule {
  private final Controller controller;
  private final ShadowResults shadows;

  public ShadowApi(Controller controller, ShadowResults shadows) {
    this.controller = controller;
    this.shadows = shadows;
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    config.routes.get(
        "/api/v1/apps/{app}/shadow/diffs",
        ctx -> {
          auth.require(ctx, Role.VIEWER);
          String app = ctx.pathParam("app");
          if (controller.view(app) == null) {
            throw auth.fail(404, "no app named " + app);
          }
          ArrayNode list = Json.MAPPER.createArrayNode();
          for (ShadowDiff d : shadows.diffs(app)) {
            ObjectNode o = list.addObject();
            o.put("at", d.at().toString());
            o.put("primaryVersion", d.primaryVersion());
            o.put("shadowVersion", d.shadowVersion());
            o.put("method", d.method());
            o.put("target", d.target());
            o.set("primary", response(d.primary()));
            o.set("shadow", response(d.shadow()));
            ArrayNode diffs = o.putArray("differences");
            d.differences().forEach(diffs::add);
          }
          ctx.result(Json.write(Json.MAPPER.createObjectNode().put("app", app).set("diffs", list)));
        });
  }

  private static ObjectNode response(ShadowDiff.Response r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("status", r.status());
    ObjectNode headers = o.putObject("headers");
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      headers.put(h.getKey(), h.getValue());
    }
    o.put("body", r.bodyExcerpt());
    o.put("bodyBytes", r.bodyBytes());
    return o;
  }
}
