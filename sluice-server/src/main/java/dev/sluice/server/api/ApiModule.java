package dev.sluice.server.api;

import io.javalin.config.JavalinConfig;

/**
 * A group of API routes added to the control API by a feature (flags, OFREP, the dashboard), so
 * that {@link ApiServer} does not grow with every feature.
 *
 * <p>{@code config.routes.get("/api/v1/flags", ctx -> { auth.require(ctx, Role.VIEWER); ... });}
 */
public interface ApiModule {

  /** Adds the module's routes; {@code auth} checks the caller's token and role. */
  void routes(JavalinConfig config, Authorizer auth);
}
