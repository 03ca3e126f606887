package dev.sluice.server.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.CommandException;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.api.ResultJson;
import dev.sluice.server.auth.Role;
import dev.sluice.server.control.AppView;
import dev.sluice.server.control.Controller;
import dev.sluice.server.dashboard.SeriesSampler.Row;
import dev.sluice.server.dashboard.Sessions.Session;
import dev.sluice.store.ReleaseRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The apps' calls under {@code /ui/api/apps}: the overview, everything a release page draws, and
 * the release page's buttons (promote, promote fully, abort, rollback), which run the same commands
 * as the API and the CLI, recorded in the event log under the logged-in token's name.
 */
final class ReleaseRoutes {
  /** How many of a release's latest events the release page reads for its measurements. */
  static final int EVENTS_READ = 5000;

  static final int TIMELINE = 100;
  static final int MEASUREMENTS = 200;

  private final Controller controller;
  private final SeriesSampler series;
  private final Sessions sessions;
  private final ResultJson results;
  private final Authorizer auth;
  private final ReleaseStarts starts;

  ReleaseRoutes(
      Controller controller,
      SeriesSampler series,
      Sessions sessions,
      Authorizer auth,
      ResultJson results) {
    this.results = results;
    this.controller = controller;
    this.series = series;
    this.sessions = sessions;
    this.auth = auth;
    this.starts = new ReleaseStarts(controller.store());
  }

  void routes(JavalinConfig config) {
    config.routes.get("/ui/api/apps", ctx -> ok(ctx, overview(sessions.read(ctx))));
    config.routes.get(
        "/ui/api/apps/{app}",
        ctx -> {
          sessions.read(ctx);
          ok(ctx, page(ctx.pathParam("app"), !"false".equals(ctx.queryParam("series"))));
        });
    config.routes.post("/ui/api/apps/{app}/promote", this::promote);
    config.routes.post("/ui/api/apps/{app}/abort", this::abort);
    config.routes.post("/ui/api/apps/{app}/rollback", this::rollback);
  }

  /** An app's status as the pages draw it. */
  ObjectNode status(AppView v) {
    return AppViews.status(v, results);
  }

  /** Every app's status with each version's recent traffic. */
  ObjectNode overview(Session s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode apps = o.putArray("apps");
    for (String app : controller.apps()) {
      AppView v = controller.view(app);
      if (v != null) {
        apps.add(AppViews.summary(v, series.rows(app), results));
      }
    }
    return o;
  }

  /** What the release page of {@code app} draws. */
  ObjectNode page(String app, boolean withSeries) {
    AppView v = view(app);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("status", status(v));
    List<Row> rows = series.rows(app);
    if (withSeries) {
      o.set("series", AppViews.series(rows));
    }
    o.put("lastSecond", rows.isEmpty() ? 0 : rows.get(rows.size() - 1).second());
    long last = v.state().seq();
    Release r = v.state().release();
    if (r == null) {
      o.putArray("measurements");
    } else {
      long start = starts.startOf(app, r.revision(), last);
      List<EventRecord> since =
          controller.store().events(app, Math.max(start - 1, last - EVENTS_READ), EVENTS_READ);
      o.set("measurements", AppViews.measurements(since, MEASUREMENTS));
    }
    ArrayNode timeline = o.putArray("timeline");
    List<EventRecord> recent =
        controller.store().events(app, Math.max(0, last - TIMELINE), TIMELINE);
    for (int i = recent.size() - 1; i >= 0; i--) {
      timeline.add(AppViews.event(recent.get(i)));
    }
    ArrayNode releases = o.putArray("releases");
    for (ReleaseRecord rr : controller.store().releases(app)) {
      releases.add(AppViews.release(rr));
    }
    o.put("lastSeq", last);
    return o;
  }

  AppView view(String app) {
    AppView v = controller.view(app);
    if (v == null) {
      throw auth.fail(
          404, "no app named " + app + " (apps: " + String.join(", ", controller.apps()) + ")");
    }
    return v;
  }

  private void promote(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    boolean full = body(ctx).path("full").asBoolean(false);
    command(ctx, (state, spec) -> Commands.promote(state, full, s.principal().name()));
  }

  private void abort(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    command(ctx, (state, spec) -> Commands.abort(state, s.principal().name()));
  }

  private void rollback(Context ctx) {
    Session s = sessions.change(ctx, Role.OPERATOR);
    JsonNode to = body(ctx).path("to");
    String version = to.isTextual() && !to.asText().isEmpty() ? to.asText() : null;
    if (version != null && !SpecParser.VERSION_NAME.matcher(version).matches()) {
      throw auth.fail(
          400, "to: \"" + version + "\" (expected: " + SpecParser.VERSION_EXPECTED + ")");
    }
    command(ctx, (state, spec) -> Commands.rollback(state, version, spec, s.principal().name()));
  }

  private void command(Context ctx, Controller.Command command) {
    String app = ctx.pathParam("app");
    view(app);
    try {
      controller.command(app, command).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CommandException ce) {
        int code =
            switch (ce.kind()) {
              case CONFLICT -> 409;
              case NOT_FOUND -> 404;
              case INVALID -> 400;
            };
        throw auth.fail(code, ce.getMessage());
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw auth.fail(503, "the controller did not answer within 30s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw auth.fail(503, "interrupted");
    }
    ok(ctx, status(view(app)));
  }

  private JsonNode body(Context ctx) {
    String text = ctx.body();
    if (text.isBlank()) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(text);
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (JsonProcessingException e) {
      throw auth.fail(400, "request body: not JSON: " + e.getOriginalMessage());
    }
    throw auth.fail(400, "request body: expected a JSON object");
  }

  static void ok(Context ctx, @Nullable ObjectNode o) {
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("application/json")
        .result(Json.write(o == null ? Json.MAPPER.createObjectNode() : o));
  }
}
