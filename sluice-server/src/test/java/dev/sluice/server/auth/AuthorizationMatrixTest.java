package dev.sluice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the control API, called by every role, by a revoked token and with no token: the
 * exact set of callers each route lets through is written down in {@link #ROWS}, and the table must
 * name every route the server registers (and no other), so a route added later without a row fails
 * this test.
 *
 * <p>{@code /api} and {@code /ofrep} routes take a bearer token and refuse with 401 (no valid
 * token) or 403 (too weak a role). Dashboard routes take the token in the session cookie (and
 * changes the page's CSRF header): pages send strangers to the login page, {@code /ui/api} calls
 * refuse with 401 or 403. Open routes ({@code /healthz}, {@code /metrics}, the login page, static
 * assets) answer anyone. Calls that change something aim at things that do not exist (app {@code
 * ghost}, token {@code nobody}) where they can, so a 404 shows the caller got past the check.
 */
class AuthorizationMatrixTest {

  /** Who calls. */
  enum Who {
    NONE,
    REVOKED,
    CLIENT,
    VIEWER,
    OPERATOR,
    ADMIN;

    boolean hasRole() {
      return this != NONE && this != REVOKED;
    }
  }

  /** How a route takes its caller's credentials, and how it refuses. */
  enum Kind {
    /** Bearer token; 401 without a valid one, 403 for a weak role. */
    API,
    /** Session cookie; a stranger is redirected to the login page. */
    PAGE,
    /** Session cookie (and CSRF header on changes); 401 without a session, 403 for a weak role. */
    UI_API,
    /** Needs nothing. */
    OPEN
  }

  private static final Set<Who> ANYONE = EnumSet.allOf(Who.class);
  private static final Set<Who> CLIENT_UP =
      EnumSet.of(Who.CLIENT, Who.VIEWER, Who.OPERATOR, Who.ADMIN);
  private static final Set<Who> VIEWER_UP = EnumSet.of(Who.VIEWER, Who.OPERATOR, Who.ADMIN);
  private static final Set<Who> OPERATOR_UP = EnumSet.of(Who.OPERATOR, Who.ADMIN);
  private static final Set<Who> ADMIN_ONLY = EnumSet.of(Who.ADMIN);

  /**
   * One call: the route it exercises ({@code METHOD /template}), the concrete path and body, and
   * exactly who may make it.
   */
  record Row(Kind kind, String route, String path, @Nullable String body, Set<Who> allowed) {
    String method() {
      return route.substring(0, route.indexOf(' '));
    }
  }

  private static Row row(Kind kind, String route, Set<Who> allowed) {
    return row(kind, route, route.substring(route.indexOf(' ') + 1), null, allowed);
  }

  private static Row row(
      Kind kind, String route, String path, @Nullable String body, Set<Who> allowed) {
    return new Row(kind, route, path, body, allowed);
  }

  private static final String FLAG =
      "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\":"
          + " \"off\"}";

  static final List<Row> ROWS =
      List.of(
          // Open on purpose: scrapers and load balancers carry no token.
          row(Kind.OPEN, "GET /healthz", ANYONE),
          row(Kind.OPEN, "GET /metrics", ANYONE),
          // Releases.
          row(Kind.API, "GET /api/v1/apps", VIEWER_UP),
          row(Kind.API, "GET /api/v1/apps/{app}", "/api/v1/apps/shop", null, VIEWER_UP),
          row(
              Kind.API,
              "GET /api/v1/apps/{app}/history",
              "/api/v1/apps/shop/history",
              null,
              VIEWER_UP),
          row(
              Kind.API,
              "GET /api/v1/apps/{app}/releases",
              "/api/v1/apps/shop/releases",
              null,
              VIEWER_UP),
          row(
              Kind.API,
              "GET /api/v1/apps/{app}/events",
              "/api/v1/apps/shop/events",
              null,
              VIEWER_UP),
          row(
              Kind.API,
              "POST /api/v1/apps/{app}/deploy",
              "/api/v1/apps/ghost/deploy",
              "{\"version\": \"v1\"}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/apps/{app}/promote",
              "/api/v1/apps/ghost/promote",
              "{}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/apps/{app}/abort",
              "/api/v1/apps/ghost/abort",
              "{}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/apps/{app}/rollback",
              "/api/v1/apps/ghost/rollback",
              "{}",
              OPERATOR_UP),
          row(
              Kind.API,
              "GET /api/v1/apps/{app}/shadow/diffs",
              "/api/v1/apps/shop/shadow/diffs",
              null,
              VIEWER_UP),
          row(Kind.API, "POST /api/v1/validate", "/api/v1/validate", "apps: []", VIEWER_UP),
          // Tokens.
          row(Kind.API, "GET /api/v1/tokens", ADMIN_ONLY),
          row(
              Kind.API,
              "POST /api/v1/tokens",
              "/api/v1/tokens",
              "{\"name\": \"made-by-matrix\", \"role\": \"viewer\"}",
              ADMIN_ONLY),
          row(Kind.API, "DELETE /api/v1/tokens/{name}", "/api/v1/tokens/nobody", null, ADMIN_ONLY),
          // Flags.
          row(Kind.API, "GET /api/v1/flags", VIEWER_UP),
          row(Kind.API, "GET /api/v1/flags/{key}", "/api/v1/flags/matrix", null, VIEWER_UP),
          row(Kind.API, "POST /api/v1/flags/{key}", "/api/v1/flags/matrix", FLAG, OPERATOR_UP),
          row(Kind.API, "DELETE /api/v1/flags/{key}", "/api/v1/flags/ghost", "{}", OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/enable",
              "/api/v1/flags/matrix/enable",
              "{}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/disable",
              "/api/v1/flags/matrix/disable",
              "{}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/default",
              "/api/v1/flags/matrix/default",
              "{\"variant\": \"off\"}",
              OPERATOR_UP),
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/weights",
              "/api/v1/flags/matrix/weights",
              "{\"weights\": {\"on\": 1, \"off\": 1}}",
              OPERATOR_UP),
          row(
              Kind.API,
              "GET /api/v1/flags/{key}/history",
              "/api/v1/flags/matrix/history",
              null,
              VIEWER_UP),
          // Guarded rollouts: a flag that does not exist, so an allowed call changes nothing.
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/rollout",
              "/api/v1/flags/ghost/rollout",
              "{\"variant\": \"on\", \"steps\": [50, 100], \"interval\": \"1s\"}",
              OPERATOR_UP),
          row(
              Kind.API,
              "GET /api/v1/flags/{key}/rollout",
              "/api/v1/flags/ghost/rollout",
              null,
              VIEWER_UP),
          row(
              Kind.API,
              "POST /api/v1/flags/{key}/rollout/abort",
              "/api/v1/flags/ghost/rollout/abort",
              "{}",
              OPERATOR_UP),
          row(Kind.API, "GET /api/v1/flagset", VIEWER_UP),
          row(
              Kind.API,
              "POST /api/v1/flagset",
              "/api/v1/flagset?merge=true",
              "{\"flags\": {}}",
              OPERATOR_UP),
          row(Kind.API, "GET /api/v1/flagset/versions", VIEWER_UP),
          row(
              Kind.API,
              "GET /api/v1/flagset/versions/{version}",
              "/api/v1/flagset/versions/1",
              null,
              VIEWER_UP),
          row(Kind.API, "GET /api/v1/flagset/stale", VIEWER_UP),
          row(Kind.API, "GET /api/v1/flagset/sync", CLIENT_UP),
          row(Kind.API, "GET /api/v1/flagset/changes", CLIENT_UP),
          row(
              Kind.API,
              "POST /api/v1/flagset/evaluated",
              "/api/v1/flagset/evaluated",
              "{\"keys\": [\"matrix\"]}",
              CLIENT_UP),
          // OFREP: evaluation is what a client token is for.
          row(
              Kind.API,
              "POST /ofrep/v1/evaluate/flags/{key}",
              "/ofrep/v1/evaluate/flags/matrix",
              "{\"context\": {\"targetingKey\": \"u\"}}",
              CLIENT_UP),
          row(
              Kind.API,
              "POST /ofrep/v1/evaluate/flags",
              "/ofrep/v1/evaluate/flags",
              "{\"context\": {}}",
              CLIENT_UP),
          row(Kind.API, "GET /ofrep/v1/configuration", CLIENT_UP),
          // The dashboard: pages and its JSON API behind a login; the login itself and the assets
          // are open.
          row(Kind.PAGE, "GET /", VIEWER_UP),
          row(Kind.OPEN, "GET /ui", ANYONE),
          row(Kind.OPEN, "GET /ui/", ANYONE),
          row(Kind.PAGE, "GET /ui/apps/{app}", "/ui/apps/shop", null, VIEWER_UP),
          row(Kind.PAGE, "GET /ui/flags", VIEWER_UP),
          row(Kind.OPEN, "GET /ui/login", ANYONE),
          row(Kind.OPEN, "POST /ui/login", "/ui/login", "{}", ANYONE),
          row(Kind.OPEN, "POST /ui/logout", "/ui/logout", "", ANYONE),
          row(Kind.OPEN, "GET /ui/assets/<name>", "/ui/assets/app.css", null, ANYONE),
          row(Kind.OPEN, "GET /favicon.ico", ANYONE),
          row(Kind.UI_API, "GET /ui/api/session", VIEWER_UP),
          row(Kind.UI_API, "GET /ui/api/apps", VIEWER_UP),
          row(Kind.UI_API, "GET /ui/api/apps/{app}", "/ui/api/apps/shop", null, VIEWER_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/apps/{app}/promote",
              "/ui/api/apps/ghost/promote",
              "{}",
              OPERATOR_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/apps/{app}/abort",
              "/ui/api/apps/ghost/abort",
              "{}",
              OPERATOR_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/apps/{app}/rollback",
              "/ui/api/apps/ghost/rollback",
              "{}",
              OPERATOR_UP),
          row(Kind.UI_API, "GET /ui/api/flags", VIEWER_UP),
          row(Kind.UI_API, "GET /ui/api/flags/{key}", "/ui/api/flags/matrix", null, VIEWER_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/state",
              "/ui/api/flags/matrix/state",
              "{\"state\": \"ENABLED\"}",
              OPERATOR_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/default",
              "/ui/api/flags/matrix/default",
              "{\"variant\": \"off\"}",
              OPERATOR_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/weights",
              "/ui/api/flags/matrix/weights",
              "{\"weights\": {\"on\": 1, \"off\": 1}}",
              OPERATOR_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/targeting",
              "/ui/api/flags/matrix/targeting",
              "{\"targeting\": {}}",
              OPERATOR_UP),
          // A dry run only reads, so a viewer may make it.
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/targeting",
              "/ui/api/flags/matrix/targeting?dryRun=true",
              "{\"targeting\": {}}",
              VIEWER_UP),
          row(
              Kind.UI_API,
              "POST /ui/api/flags/{key}/evaluate",
              "/ui/api/flags/matrix/evaluate",
              "{\"context\": {}}",
              VIEWER_UP),
          row(Kind.UI_API, "GET /ui/api/stream", VIEWER_UP),
          row(
              Kind.UI_API,
              "GET /ui/api/apps/{app}/stream",
              "/ui/api/apps/shop/stream",
              null,
              VIEWER_UP));

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @TempDir static Path dir;
  private static Daemon daemon;
  private static final Map<Who, String> TOKENS = new EnumMap<>(Who.class);
  private static final Map<Who, String> CSRF = new EnumMap<>(Who.class);

  @BeforeAll
  static void startDaemonWithATokenPerRole() throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime: {process: {command: [app, "${version}"]}}
        """);
    daemon =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", 0)));
    String admin = AdminToken.read(dir.resolve("state"));
    TOKENS.put(Who.ADMIN, admin);
    for (Who who : List.of(Who.CLIENT, Who.VIEWER, Who.OPERATOR, Who.REVOKED)) {
      String role = who == Who.REVOKED ? "operator" : who.name().toLowerCase(java.util.Locale.ROOT);
      HttpResponse<String> r =
          send(
              "POST",
              "/api/v1/tokens",
              "{\"name\": \""
                  + who.name().toLowerCase(java.util.Locale.ROOT)
                  + "\", \"role\": \""
                  + role
                  + "\"}",
              bearer(admin));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      TOKENS.put(who, Json.MAPPER.readTree(r.body()).path("token").asText());
    }
    assertThat(send("DELETE", "/api/v1/tokens/revoked", null, bearer(admin)).statusCode())
        .isEqualTo(200);
    assertThat(send("POST", "/api/v1/flags/matrix", FLAG, bearer(admin)).statusCode())
        .isEqualTo(200);
    for (Who who : List.of(Who.VIEWER, Who.OPERATOR, Who.ADMIN)) {
      HttpResponse<String> r = send("GET", "/ui/api/session", null, cookie(TOKENS.get(who)));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      CSRF.put(who, Json.MAPPER.readTree(r.body()).path("csrf").asText());
    }
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void theTableNamesEveryRouteTheServerRegistersAndNoOther() {
    Set<String> registered = new TreeSet<>(daemon.apiRoutes());
    Set<String> inTable = new TreeSet<>();
    ROWS.forEach(r -> inTable.add(r.route()));
    assertThat(inTable)
        .as("routes in the table (left) against routes the server registers")
        .containsExactlyInAnyOrderElementsOf(registered);
  }

  @Test
  void everyRouteLetsThroughExactlyTheCallersItsRowNames() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Row row : ROWS) {
      Set<Who> passed = EnumSet.noneOf(Who.class);
      for (Who who : Who.values()) {
        Outcome o = call(row, who);
        if (o.passed()) {
          passed.add(who);
        } else if (!o.refusedAsExpected()) {
          wrong.add(row.route() + " by " + who + ": refused with " + o.status() + " " + o.body());
        }
      }
      if (!passed.equals(row.allowed())) {
        wrong.add(
            row.route()
                + " ("
                + row.path()
                + "): let through "
                + passed
                + ", expected "
                + row.allowed());
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void loginLetsInExactlyTheReadingRoles() throws Exception {
    Map<Who, Integer> expected = new EnumMap<>(Who.class);
    expected.put(Who.NONE, 400);
    expected.put(Who.REVOKED, 401);
    expected.put(Who.CLIENT, 403);
    expected.put(Who.VIEWER, 200);
    expected.put(Who.OPERATOR, 200);
    expected.put(Who.ADMIN, 200);
    Map<Who, Integer> got = new EnumMap<>(Who.class);
    for (Who who : Who.values()) {
      String body = TOKENS.containsKey(who) ? "{\"token\": \"" + TOKENS.get(who) + "\"}" : "{}";
      got.put(who, exchange("POST", "/ui/login", body, List.of()).status());
    }
    assertThat(got).isEqualTo(expected);
  }

  /**
   * What one call got: its status, whether it passed the check, and whether a refusal was right.
   */
  record Outcome(int status, String body, boolean passed, boolean refusedAsExpected) {}

  private static Outcome call(Row row, Who who) throws Exception {
    String token = TOKENS.get(who);
    List<String> headers = new ArrayList<>();
    switch (row.kind()) {
      case API, OPEN -> {
        if (token != null) {
          headers.addAll(bearer(token));
        }
      }
      case PAGE, UI_API -> {
        if (token != null) {
          headers.addAll(cookie(token));
        }
        if (CSRF.containsKey(who) && row.method().equals("POST")) {
          headers.addAll(List.of("X-CSRF-Token", CSRF.get(who)));
        }
      }
    }
    String body = row.body();
    if (row.route().equals("POST /ui/login")) {
      body = who.hasRole() || who == Who.REVOKED ? "{\"token\": \"" + token + "\"}" : "{}";
    }
    boolean stream =
        row.route().endsWith("/events")
            || row.route().endsWith("/changes")
            || row.route().endsWith("/stream");
    Response r =
        stream
            ? openStream(row.path(), headers)
            : exchange(row.method(), row.path(), body, headers);
    int s = r.status();
    return switch (row.kind()) {
      // The login takes its token in the body: it is open, and loginLetsInExactlyTheReadingRoles
      // checks what it answers.
      case OPEN ->
          new Outcome(
              s, r.body(), s != 401 && s != 403 || row.route().equals("POST /ui/login"), false);
      case API -> new Outcome(s, r.body(), s != 401 && s != 403, s == (who.hasRole() ? 403 : 401));
      case PAGE -> {
        boolean toLogin = s == 302 && r.location() != null && r.location().startsWith("/ui/login");
        yield new Outcome(s, r.body(), s == 200, toLogin);
      }
      case UI_API -> {
        boolean noSession = !who.hasRole() || who == Who.CLIENT;
        yield new Outcome(s, r.body(), s != 401 && s != 403, s == (noSession ? 401 : 403));
      }
    };
  }

  record Response(int status, String body, @Nullable String location) {}

  private static Response exchange(
      String method, String path, @Nullable String body, List<String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(null));
  }

  /** Opens a server-sent event stream, takes its status and closes it. */
  private static Response openStream(String path, List<String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Accept", "text/event-stream");
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    String body = "";
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return new Response(r.statusCode(), body, r.headers().firstValue("Location").orElse(null));
  }

  private static HttpResponse<String> send(
      String method, String path, @Nullable String body, List<String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> bearer(String token) {
    return List.of("Authorization", "Bearer " + token);
  }

  private static List<String> cookie(String token) {
    return List.of("Cookie", "sluice_session=" + token);
  }
}
