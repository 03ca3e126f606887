package dev.sluice.server.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.server.api.ApiModule;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.api.ResultJson;
import dev.sluice.server.auth.Role;
import dev.sluice.server.auth.Tokens;
import dev.sluice.server.control.AppView;
import dev.sluice.server.control.Controller;
import dev.sluice.server.dashboard.Sessions.Session;
import dev.sluice.server.flags.FlagService;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard, served by the control API: the apps overview at {@code /}, a live release page per
 * app at {@code /ui/apps/{app}}, and the flags at {@code /ui/flags}, behind a login with an API
 * token at {@code /ui/login}.
 *
 * <pre>{@code
 * Dashboard dashboard = Dashboard.start(
 *     new Dashboard.Parts(controller, router.metrics(), router.shadow(), flags, tokens, clock));
 * ApiServer.start(listen, controller, router.metrics(), tokens, specs, List.of(dashboard));
 * ...
 * dashboard.close(); // before the API server: ends the pages' live streams
 * }</pre>
 *
 * <p>It knows the API's tokens and roles: {@code viewer} sees everything, {@code operator} also
 * promotes, aborts, rolls back and edits flags, {@code admin} likewise; {@code client} tokens
 * cannot log in. The token is kept in an HttpOnly, SameSite=Strict cookie, and every change needs
 * the page's CSRF token. Pages get their data as JSON under {@code /ui/api} and live updates as
 * server-sent events; a version's per-second request rate, error share and latency come from a
 * sampler that reads the router's metrics once a second and keeps the last {@link
 * Options#seconds()} of them.
 */
public final class Dashboard implements ApiModule, AutoCloseable {

  /**
   * What the dashboard reads and drives.
   *
   * @param tokens the API's tokens: logins check them
   * @param clock the times of the series' rows
   */
  public record Parts(
      Controller controller,
      RouterMetrics metrics,
      ShadowResults shadows,
      FlagService flags,
      Tokens tokens,
      Clock clock) {}

  /**
   * How the dashboard samples and streams.
   *
   * @param sampleEvery how often the series gets a row (and live pages an update)
   * @param seconds how many rows each app keeps: the charts' span
   * @param keepAlive how long a quiet stream waits before a keep-alive comment
   */
  public record Options(Duration sampleEvery, int seconds, Duration keepAlive) {
    public Options {
      if (sampleEvery.isNegative() || sampleEvery.isZero()) {
        throw new IllegalArgumentException("sampleEvery: " + sampleEvery + " (expected: > 0)");
      }
      if (seconds < 2) {
        throw new IllegalArgumentException("seconds: " + seconds + " (expected: 2 or more)");
      }
    }

    /** A row every second, five minutes of them, a keep-alive every 15 seconds. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(1), 300, Duration.ofSeconds(15));
    }
  }

  private final Parts parts;
  private final Options options;
  private final SeriesSampler series;
  private final Assets assets = new Assets();
  private volatile @Nullable LiveStreams streams;

  private Dashboard(Parts parts, Options options) {
    this.parts = parts;
    this.options = options;
    this.series =
        new SeriesSampler(
            parts.metrics(), versions(parts.controller()), parts.clock(), options.seconds());
  }

  /** Starts sampling the router's metrics with the default options. */
  public static Dashboard start(Parts parts) {
    return start(parts, Options.defaults());
  }

  /** Starts sampling the router's metrics; the routes come with {@link #routes}. */
  public static Dashboard start(Parts parts, Options options) {
    Dashboard d = new Dashboard(parts, options);
    d.series.start(options.sampleEvery());
    return d;
  }

  private static Supplier<Map<String, Set<String>>> versions(Controller controller) {
    return () -> {
      Map<String, Set<String>> out = new LinkedHashMap<>();
      for (String app : controller.apps()) {
        AppView v = controller.view(app);
        if (v != null) {
          Set<String> names = new TreeSet<>(v.state().versions().keySet());
          names.addAll(v.state().weights().keySet());
          out.put(app, names);
        }
      }
      return out;
    };
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    Sessions sessions = new Sessions(parts.tokens(), auth);
    ReleaseRoutes releases =
        new ReleaseRoutes(
            parts.controller(), series, sessions, auth, new ResultJson(parts.shadows()));
    LiveStreams live =
        new LiveStreams(parts.controller(), series, sessions, releases, auth, options.keepAlive());
    streams = live;

    config.routes.get("/", ctx -> page(ctx, sessions, "overview.html"));
    config.routes.get("/ui", ctx -> ctx.redirect("/"));
    config.routes.get("/ui/", ctx -> ctx.redirect("/"));
    config.routes.get("/ui/apps/{app}", ctx -> page(ctx, sessions, "release.html"));
    config.routes.get("/ui/flags", ctx -> page(ctx, sessions, "flags.html"));
    config.routes.get(
        "/ui/login",
        ctx -> {
          if (sessions.session(ctx).isPresent()) {
            ctx.redirect(Sessions.safeNext(ctx.queryParam("next")));
          } else {
            assets.page(ctx, "login.html");
          }
        });
    config.routes.post("/ui/login", ctx -> login(ctx, sessions, auth));
    config.routes.post(
        "/ui/logout",
        ctx -> {
          sessions.logout(ctx);
          ctx.status(204);
        });
    config.routes.get(
        "/ui/api/session",
        ctx -> {
          Session s = sessions.read(ctx);
          ReleaseRoutes.ok(
              ctx,
              Json.MAPPER
                  .createObjectNode()
                  .put("name", s.principal().name())
                  .put("role", s.principal().role().label())
                  .put("csrf", s.csrf())
                  .put("operate", s.may(Role.OPERATOR))
                  .put("admin", s.may(Role.ADMIN)));
        });
    config.routes.get("/favicon.ico", ctx -> assets.serve(ctx, "favicon.svg"));
    config.routes.get(
        "/ui/assets/<name>",
        ctx -> {
          String name = Assets.name(ctx.pathParam("name"));
          if (name == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file");
          } else {
            assets.serve(ctx, name);
          }
        });
    releases.routes(config);
    new FlagRoutes(parts.flags(), sessions, auth).routes(config);
    live.routes(config);
  }

  /** A page for a logged-in person; anyone else goes to the login page and comes back after. */
  private void page(Context ctx, Sessions sessions, String page) {
    if (sessions.session(ctx).isEmpty()) {
      String back = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
      ctx.redirect("/ui/login?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8));
      return;
    }
    assets.page(ctx, page);
  }

  private static void login(Context ctx, Sessions sessions, Authorizer auth) {
    String token;
    try {
      JsonNode body = Json.MAPPER.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      token = body == null ? "" : body.path("token").asText("").trim();
    } catch (JsonProcessingException e) {
      throw auth.fail(400, "request body: expected {\"token\": \"...\"}");
    }
    // A JSON body cannot come from another site's form without a CORS preflight, which this
    // server never answers: one more guard against logging a victim in as the attacker.
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw auth.fail(415, "log in with a JSON body: {\"token\": \"...\"}");
    }
    if (token.isEmpty()) {
      throw auth.fail(400, "token: missing (expected: an API token, e.g. the one in admin.token)");
    }
    Session s = sessions.login(ctx, token);
    ReleaseRoutes.ok(
        ctx,
        Json.MAPPER
            .createObjectNode()
            .put("name", s.principal().name())
            .put("role", s.principal().role().label()));
  }

  /** Stops sampling and ends the pages' live streams; close it before the API server. */
  @Override
  public void close() {
    series.close();
    LiveStreams s = streams;
    if (s != null) {
      s.close();
    }
  }
}
