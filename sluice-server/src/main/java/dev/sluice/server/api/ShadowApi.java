package dev.sluice.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.server.auth.Role;
import dev.sluice.server.control.Controller;
import io.javalin.config.JavalinConfig;

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
            list.add(ResultJson.diff(d));
          }
          ctx.result(Json.write(Json.MAPPER.createObjectNode().put("app", app).set("diffs", list)));
        });
  }
}
