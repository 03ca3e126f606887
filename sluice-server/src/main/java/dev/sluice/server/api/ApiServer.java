package dev.sluice.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.CommandException;
import dev.sluice.core.release.Commands;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.Problem;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import dev.sluice.server.auth.Tokens;
import dev.sluice.server.control.AppView;
import dev.sluice.server.control.Controller;
import dev.sluice.store.ReleaseRecord;
import dev.sluice.store.TokenRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API: REST/JSON under {@code /api/v1}, Prometheus text at {@code /metrics}, liveness
 * at {@code /healthz}. Every {@code /api} call needs a token ({@code Authorization: Bearer
 * <token>}): reads need {@code viewer}, releases {@code operator}, tokens {@code admin}. A call
 * without a valid token gets 401, with too weak a role 403, and changes nothing. {@code /metrics}
 * and {@code /healthz} are open, for scrapers and load balancers.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /**
   * The audit trail of tokens: who created or revoked which token, never the token's text. Release
   * and flag changes are audited in the store (events record {@code by}, flag versions their
   * actor); token changes go to this logger, which a deployment can route to its own file.
   */
  private static final Logger audit = LoggerFactory.getLogger("sluice.audit");

  private final Javalin javalin;
  private final Controller controller;
  private final RouterMetrics metrics;
  private final ResultJson results;
  private final Tokens tokens;
  private final @Nullable SpecSource specs;

  /** Re-reads the spec file, so a deploy runs with the spec as it is now. */
  @FunctionalInterface
  public interface SpecSource {
    Spec read() throws SpecException, IOException;
  }

  private ApiServer(
      Controller controller,
      RouterMetrics metrics,
      @Nullable ShadowResults shadows,
      Tokens tokens,
      @Nullable SpecSource specs,
      List<ApiModule> modules,
      HostPort listen,
      @Nullable Tls tls) {
    this.controller = controller;
    this.metrics = metrics;
    this.results = new ResultJson(shadows);
    this.tokens = tokens;
    this.specs = specs;
    this.javalin =
        Javalin.create(
            config -> {
              if (tls != null) {
                config.jetty.addConnector(
                    (server, http) -> httpsConnector(server, http, listen, tls));
              }
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.http.defaultContentType = "application/json";
              config.concurrency.useVirtualThreads = true;
              config.routes.get("/healthz", this::healthz);
              config.routes.get("/metrics", this::metrics);
              config.routes.get("/api/v1/apps", this::listApps);
              config.routes.get("/api/v1/apps/{app}", this::getApp);
              config.routes.get("/api/v1/apps/{app}/history", this::history);
              config.routes.get("/api/v1/apps/{app}/releases", this::releases);
              // The token is checked before the SSE handler commits a 200, so a stranger gets a
              // real 401/403 rather than a 200 stream that says "error".
              config.routes.before("/api/v1/apps/{app}/events", ctx -> authorize(ctx, Role.VIEWER));
              config.routes.sse("/api/v1/apps/{app}/events", this::events);
              config.routes.post("/api/v1/apps/{app}/deploy", this::deploy);
              config.routes.post("/api/v1/apps/{app}/promote", this::promote);
              config.routes.post("/api/v1/apps/{app}/abort", this::abort);
              config.routes.post("/api/v1/apps/{app}/rollback", this::rollback);
              config.routes.post("/api/v1/validate", this::validate);
              config.routes.get("/api/v1/tokens", this::listTokens);
              config.routes.post("/api/v1/tokens", this::createToken);
              config.routes.delete("/api/v1/tokens/{name}", this::revokeToken);
              Authorizer auth =
                  new Authorizer() {
                    @Override
                    public Principal require(Context ctx, Role needed) {
                      return authorize(ctx, needed);
                    }

                    @Override
                    public RuntimeException fail(int status, String message) {
                      return new ApiError(status, message);
                    }
                  };
              for (ApiModule m : modules) {
                m.routes(config, auth);
              }
              config.routes.exception(
                  ApiError.class,
                  (e, ctx) -> {
                    if (!gone(ctx)) {
                      error(ctx, e.status, e.getMessage(), e.problems);
                    }
                  });
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    if (gone(ctx)) {
                      // The exchange ended (client gone, server stopping): nobody to answer.
                      log.debug("API call ended before its answer: {}", e.toString());
                      return;
                    }
                    log.error("API call {} {} failed", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal error: " + e, List.of());
                  });
              config.routes.error(
                  404,
                  "*",
                  ctx -> {
                    if (gone(ctx)) {
                      return;
                    }
                    if (ctx.result() == null || ctx.result().isEmpty()) {
                      error(
                          ctx,
                          404,
                          "no such endpoint: " + ctx.method() + " " + ctx.path(),
                          List.of());
                    }
                  });
            });
  }

  /**
   * Starts the API on {@code listen}.
   *
   * @param specs where deploys re-read the spec from; null to keep the spec the daemon started with
   * @param modules more routes: flags, OFREP, the dashboard
   */
  public static ApiServer start(
      HostPort listen,
      Controller controller,
      RouterMetrics metrics,
      Tokens tokens,
      @Nullable SpecSource specs,
      List<ApiModule> modules) {
    return start(listen, null, controller, metrics, null, tokens, specs, modules);
  }

  /**
   * Starts the API on {@code listen}, over TLS when {@code tls} is given.
   *
   * @param shadows the router's shadow comparisons, whose recent differing pairs a shadow release's
   *     status shows; null for none
   * @throws java.io.UncheckedIOException when the TLS files cannot be read
   */
  public static ApiServer start(
      HostPort listen,
      @Nullable Tls tls,
      Controller controller,
      RouterMetrics metrics,
      @Nullable ShadowResults shadows,
      Tokens tokens,
      @Nullable SpecSource specs,
      List<ApiModule> modules) {
    ApiServer server =
        new ApiServer(controller, metrics, shadows, tokens, specs, modules, listen, tls);
    if (tls == null) {
      server.javalin.start(listen.host(), listen.port());
    } else {
      server.javalin.start();
    }
    return server;
  }

  /** A connector that speaks HTTPS (HTTP/1.1 over TLS 1.2 or 1.3) on {@code listen}. */
  private static org.eclipse.jetty.server.Connector httpsConnector(
      org.eclipse.jetty.server.Server server,
      org.eclipse.jetty.server.HttpConfiguration http,
      HostPort listen,
      Tls tls) {
    char[] password = java.util.UUID.randomUUID().toString().toCharArray();
    org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl =
        new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
    try {
      ssl.setKeyStore(tls.keyStore(password));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ssl.setKeyStorePassword(new String(password));
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    org.eclipse.jetty.server.HttpConfiguration https =
        new org.eclipse.jetty.server.HttpConfiguration(http);
    org.eclipse.jetty.server.SecureRequestCustomizer secure =
        new org.eclipse.jetty.server.SecureRequestCustomizer();
    secure.setSniHostCheck(false); // a certificate for a name, reached by loopback address
    https.addCustomizer(secure);
    org.eclipse.jetty.server.ServerConnector c =
        new org.eclipse.jetty.server.ServerConnector(
            server,
            new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
            new org.eclipse.jetty.server.HttpConnectionFactory(https));
    c.setHost(listen.host());
    c.setPort(listen.port());
    return c;
  }

  /** The bound address (port 0 resolved). */
  public InetSocketAddress address(String host) {
    return new InetSocketAddress(host, javalin.port());
  }

  /**
   * The routes this server answers, as {@code "GET /api/v1/apps/{app}"}, in registration order:
   * what the authorization matrix test checks its table against, so a new route cannot go
   * unreviewed.
   */
  public List<String> routes() {
    List<String> out = new java.util.ArrayList<>();
    for (io.javalin.router.ParsedEndpoint e : javalin.unsafe.internalRouter.allHttpHandlers()) {
      if (e.endpoint.method.isHttpMethod()) {
        out.add(e.endpoint.method.name() + " " + e.endpoint.path);
      }
    }
    return out;
  }

  private void healthz(Context ctx) {
    String problem = controller.storeProblem();
    if (problem != null) {
      ctx.status(503)
          .json(Json.MAPPER.createObjectNode().put("status", "unhealthy").put("store", problem));
      return;
    }
    ctx.result(Json.write(Json.MAPPER.createObjectNode().put("status", "ok")));
  }

  private void metrics(Context ctx) throws IOException {
    StringBuilder b = new StringBuilder(4096);
    metrics.writePrometheus(b);
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(b.toString());
  }

  private void listApps(Context ctx) {
    authorize(ctx, Role.VIEWER);
    ArrayNode list = Json.MAPPER.createArrayNode();
    for (String app : controller.apps()) {
      AppView v = controller.view(app);
      if (v != null) {
        list.add(Views.app(v, results));
      }
    }
    ctx.result(Json.write(Json.MAPPER.createObjectNode().set("apps", list)));
  }

  private void getApp(Context ctx) {
    authorize(ctx, Role.VIEWER);
    ctx.result(Json.write(Views.app(view(ctx), results)));
  }

  private AppView view(Context ctx) {
    String app = ctx.pathParam("app");
    AppView v = controller.view(app);
    if (v == null) {
      throw new ApiError(
          404, "no app named " + app + " (apps: " + String.join(", ", controller.apps()) + ")");
    }
    return v;
  }

  private void history(Context ctx) {
    authorize(ctx, Role.VIEWER);
    AppView v = view(ctx);
    long after = longParam(ctx, "after", 0);
    int limit = (int) Math.min(longParam(ctx, "limit", 10_000), 10_000);
    ArrayNode events = Json.MAPPER.createArrayNode();
    for (EventRecord r : controller.store().events(v.state().app(), after, limit)) {
      events.add(Views.event(r));
    }
    ObjectNode o = Json.MAPPER.createObjectNode().put("app", v.state().app());
    o.set("events", events);
    // results need the whole log: an experiment's arms are in its release's first event
    o.set(
        "results", ResultJson.history(v.state().app(), controller.store().events(v.state().app())));
    ctx.result(Json.write(o));
  }

  private void releases(Context ctx) {
    authorize(ctx, Role.VIEWER);
    AppView v = view(ctx);
    ArrayNode list = Json.MAPPER.createArrayNode();
    for (ReleaseRecord r : controller.store().releases(v.state().app())) {
      list.add(Views.release(r));
    }
    ctx.result(Json.write(Json.MAPPER.createObjectNode().set("releases", list)));
  }

  private static long longParam(Context ctx, String name, long def) {
    String s = ctx.queryParam(name);
    if (s == null) {
      return def;
    }
    try {
      long v = Long.parseLong(s);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ApiError(400, name + ": \"" + s + "\" (expected: a whole number 0 or more)");
    }
  }

  /** Streams the app's events as they are decided, after those since {@code ?after=N}. */
  private void events(SseClient client) {
    Context ctx = client.ctx();
    try {
      authorize(ctx, Role.VIEWER);
    } catch (ApiError e) {
      client.sendEvent("error", e.getMessage());
      client.close();
      return;
    }
    String app = ctx.pathParam("app");
    if (controller.view(app) == null) {
      client.sendEvent("error", "no app named " + app);
      client.close();
      return;
    }
    long after = longParam(ctx, "after", Long.MAX_VALUE);
    LinkedBlockingQueue<EventRecord> queue = new LinkedBlockingQueue<>(10_000);
    Runnable unsubscribe =
        controller.subscribe(
            r -> {
              if (r.app().equals(app) && !queue.offer(r)) {
                client.close(); // too slow a reader: it reconnects with ?after=
              }
            });
    client.onClose(unsubscribe);
    long sent = after == Long.MAX_VALUE ? controller.store().lastSeq(app) : after;
    for (EventRecord r : controller.store().events(app, sent, Integer.MAX_VALUE)) {
      client.sendEvent("event", Json.write(Views.event(r)), Long.toString(r.seq()));
      sent = r.seq();
    }
    try {
      while (!client.terminated()) {
        EventRecord r = queue.poll(15, TimeUnit.SECONDS);
        if (r == null) {
          client.sendComment("keep-alive");
        } else if (r.seq() > sent) {
          client.sendEvent("event", Json.write(Views.event(r)), Long.toString(r.seq()));
          sent = r.seq();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      unsubscribe.run();
    }
  }

  private void deploy(Context ctx) {
    String by = authorize(ctx, Role.OPERATOR).name();
    Bodies.Deploy body = Bodies.deploy(ctx.body());
    String app = ctx.pathParam("app");
    reloadSpecs(app);
    command(
        ctx,
        app,
        (state, spec) -> Commands.deploy(state, spec, body.version(), body.force(), by),
        202);
  }

  private void promote(Context ctx) {
    String by = authorize(ctx, Role.OPERATOR).name();
    Bodies.Promote body = Bodies.promote(ctx.body());
    command(
        ctx, ctx.pathParam("app"), (state, spec) -> Commands.promote(state, body.full(), by), 200);
  }

  private void abort(Context ctx) {
    String by = authorize(ctx, Role.OPERATOR).name();
    Bodies.empty(ctx.body());
    command(ctx, ctx.pathParam("app"), (state, spec) -> Commands.abort(state, by), 200);
  }

  private void rollback(Context ctx) {
    String by = authorize(ctx, Role.OPERATOR).name();
    Bodies.Rollback body = Bodies.rollback(ctx.body());
    command(
        ctx,
        ctx.pathParam("app"),
        (state, spec) -> Commands.rollback(state, body.to(), spec, by),
        200);
  }

  private void validate(Context ctx) {
    authorize(ctx, Role.VIEWER);
    try {
      Spec spec = SpecParser.parse(ctx.body(), "request body");
      ObjectNode o = Json.MAPPER.createObjectNode().put("valid", true);
      ArrayNode apps = o.putArray("apps");
      spec.apps().forEach(a -> apps.add(a.name()));
      ctx.result(Json.write(o));
    } catch (SpecException e) {
      throw new ApiError(400, e.getMessage(), e.problems());
    }
  }

  private void reloadSpecs(String app) {
    if (specs == null) {
      return;
    }
    Spec spec;
    try {
      spec = specs.read();
    } catch (SpecException e) {
      throw new ApiError(
          400,
          "the spec file has problems, so nothing was deployed:\n" + e.getMessage(),
          e.problems());
    } catch (IOException e) {
      throw new ApiError(409, "cannot read the spec file: " + e.getMessage());
    }
    List<String> changed = controller.updateSpecs(spec).join();
    for (String c : changed) {
      if (c.startsWith(app + ":")) {
        throw new ApiError(409, c);
      }
    }
  }

  private void command(Context ctx, String app, Controller.Command command, int status) {
    try {
      AppState state = controller.command(app, command).get(30, TimeUnit.SECONDS);
      AppView v = controller.view(app);
      ctx.status(status)
          .result(Json.write(v == null ? Json.MAPPER.createObjectNode() : Views.app(v, results)));
      if (state.release() != null) {
        ctx.header("Sluice-Revision", Integer.toString(state.release().revision()));
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CommandException ce) {
        int code =
            switch (ce.kind()) {
              case CONFLICT -> 409;
              case NOT_FOUND -> 404;
              case INVALID -> 400;
            };
        throw new ApiError(code, ce.getMessage());
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new ApiError(503, "the controller did not answer within 30s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "interrupted");
    }
  }

  /**
   * Checks the caller's token ({@code Authorization: Bearer <token>}, or {@code X-API-Key}) and its
   * role: 401 without a valid token, 403 when its role does not allow the call.
   */
  private Principal authorize(Context ctx, Role needed) {
    String secret = null;
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      secret = header.substring(7).trim();
    } else if (ctx.header("X-API-Key") != null) {
      secret = ctx.header("X-API-Key").trim();
    }
    if (secret == null || secret.isEmpty()) {
      throw new ApiError(401, "this call needs a token: Authorization: Bearer <token>");
    }
    Principal p =
        tokens
            .verify(secret)
            .orElseThrow(() -> new ApiError(401, "the token is not valid (unknown or revoked)"));
    if (!p.role().allows(needed)) {
      throw new ApiError(
          403,
          "token "
              + p.name()
              + " has role "
              + p.role().label()
              + "; this call needs "
              + needed.label());
    }
    return p;
  }

  private void listTokens(Context ctx) {
    authorize(ctx, Role.ADMIN);
    ArrayNode list = Json.MAPPER.createArrayNode();
    for (TokenRecord t : tokens.list()) {
      list.addObject()
          .put("name", t.name())
          .put("role", t.role())
          .put("createdAt", t.createdAt().toString())
          .put("revokedAt", t.revokedAt() == null ? null : t.revokedAt().toString())
          .put("environment", t.environment());
    }
    ctx.result(Json.write(Json.MAPPER.createObjectNode().set("tokens", list)));
  }

  private void createToken(Context ctx) {
    Principal by = authorize(ctx, Role.ADMIN);
    Bodies.NewToken body = Bodies.newToken(ctx.body());
    String secret;
    try {
      secret = tokens.create(body.name(), body.role(), body.environment());
    } catch (IllegalArgumentException e) {
      throw new ApiError(409, e.getMessage());
    }
    audit.info(
        "token created: name={} role={} environment={} by={}",
        body.name(),
        body.role().label(),
        body.environment() == null ? "-" : body.environment(),
        by.name());
    ctx.status(201)
        .result(
            Json.write(
                Json.MAPPER
                    .createObjectNode()
                    .put("name", body.name())
                    .put("role", body.role().label())
                    .put("environment", body.environment())
                    .put("token", secret)));
  }

  private void revokeToken(Context ctx) {
    Principal by = authorize(ctx, Role.ADMIN);
    String name = ctx.pathParam("name");
    if (!tokens.revoke(name)) {
      throw new ApiError(404, "no valid token named " + name);
    }
    audit.info("token revoked: name={} by={}", name, by.name());
    ctx.result(Json.write(Json.MAPPER.createObjectNode().put("name", name).put("revoked", true)));
  }

  /**
   * Whether the request behind {@code ctx} was already recycled by Jetty (its client went away or
   * the server stopped while an asynchronous answer, such as an event stream, was pending). An
   * exception handler that then reads the request throws itself, and Javalin hands that to the
   * handlers again: in the tests a stopped daemon's handlers logged such errors millions of times.
   */
  private static boolean gone(Context ctx) {
    try {
      ctx.req().getRequestURI();
      ctx.res().getStatus();
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }

  private static void error(Context ctx, int status, String message, List<Problem> problems) {
    ObjectNode o = Json.MAPPER.createObjectNode().put("error", message);
    if (!problems.isEmpty()) {
      ArrayNode list = o.putArray("problems");
      for (Problem p : problems) {
        list.addObject()
            .put("message", p.toString())
            .put("line", p.line())
            .put("column", p.column())
            .put("path", p.path())
            .put("value", p.value())
            .put("expected", p.expected());
      }
    }
    ctx.status(status).contentType("application/json").result(Json.write(o));
  }

  @Override
  public void close() {
    javalin.stop();
  }
}
