package dev.sluice.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.FlagState;
import dev.sluice.server.api.Json;
import dev.sluice.server.dashboard.TestDaemon.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP side without a browser, against a real daemon with a canary paused at 40 %:
 * who gets in, what the cookie looks like, which changes are refused (CSRF, other sites, roles),
 * and what the release page's JSON and stream carry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String FLAGS =
      """
      {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
        "defaultVariant": "off", "targeting": {"fractional": [["on", 25], ["off", 75]]},
        "metadata": {"owner": "team-checkout"}}}}
      """;

  @TempDir static Path dir;

  private TestDaemon sluice;
  private Load load;
  private String origin;
  private String operator;
  private String viewer;

  @BeforeAll
  void start() throws Exception {
    sluice = TestDaemon.start(dir, 1);
    origin = sluice.url();
    operator = sluice.token("ops", "operator");
    viewer = sluice.token("watcher", "viewer");
    sluice.importFlags(FLAGS);
    sluice.deploy("v1");
    await()
        .atMost(WAIT)
        .until(() -> sluice.status().path("stable").path("version").asText().equals("v1"));
    load = new Load(sluice.shop(), Duration.ofMillis(25), 10_000, Duration.ofMinutes(3));
    // The canary goes on while the tests run; those that look at it wait for it.
    sluice.deploy("v2");
  }

  private void awaitCanaryPaused() {
    await()
        .atMost(WAIT)
        .until(() -> sluice.status().path("release").path("status").asText().equals("Paused"));
  }

  @AfterAll
  void stop() {
    if (load != null) {
      load.close();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  /** Logs in and returns the session cookie's value. */
  private String login(String token) throws Exception {
    Response r =
        sluice.send(
            "POST",
            "/ui/login",
            "{\"token\": \"" + token + "\"}",
            "Content-Type",
            "application/json",
            "Origin",
            origin);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String cookie = r.header("Set-Cookie");
    return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
  }

  private Response get(String path, String session) throws Exception {
    return sluice.send("GET", path, null, "Cookie", Sessions.COOKIE + "=" + session);
  }

  private String csrf(String session) throws Exception {
    return get("/ui/api/session", session).json().path("csrf").asText();
  }

  private Response post(String path, String session, String body, String... more) throws Exception {
    List<String> h = new ArrayList<>(List.of("Cookie", Sessions.COOKIE + "=" + session));
    h.addAll(List.of(more));
    h.addAll(List.of("Content-Type", "application/json"));
    return sluice.send("POST", path, body, h.toArray(String[]::new));
  }

  @Test
  void aStrangerIsSentToTheLoginPageAndGetsNoData() throws Exception {
    Response page = sluice.send("GET", "/ui/apps/shop?x=1", null);
    assertThat(page.status()).isEqualTo(302);
    assertThat(page.header("Location")).isEqualTo("/ui/login?next=%2Fui%2Fapps%2Fshop%3Fx%3D1");
    assertThat(sluice.send("GET", "/", null).header("Location")).isEqualTo("/ui/login?next=%2F");
    for (String path :
        List.of("/ui/api/apps", "/ui/api/apps/shop", "/ui/api/flags", "/ui/api/session")) {
      Response r = sluice.send("GET", path, null);
      assertThat(r.status()).as(path).isEqualTo(401);
      assertThat(r.json().path("error").asText()).contains("not logged in");
    }
    assertThat(sluice.send("GET", "/ui/api/apps/shop/stream", null).status()).isEqualTo(401);
    Response forged =
        sluice.send("GET", "/ui/api/session", null, "Cookie", "sluice_session=slc_guess");
    assertThat(forged.status()).isEqualTo(401);

    Response login = sluice.send("GET", "/ui/login", null);
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.header("Content-Type")).startsWith("text/html");
    assertThat(login.header("Content-Security-Policy")).contains("script-src 'self'");
    Response script = sluice.send("GET", "/ui/assets/common.js", null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("X-Content-Type-Options")).isEqualTo("nosniff");
    Response again =
        sluice.send("GET", "/ui/assets/common.js", null, "If-None-Match", script.header("ETag"));
    assertThat(again.status()).isEqualTo(304);
    assertThat(sluice.send("GET", "/ui/assets/uPlot.iife.min.js", null).status()).isEqualTo(404);
    assertThat(sluice.send("GET", "/ui/assets/vendor/uPlot.iife.min.js", null).status())
        .isEqualTo(200);
    assertThat(sluice.send("GET", "/ui/assets/../../admin.token", null).status()).isEqualTo(404);
  }

  @Test
  void loggingInSetsAnHttpOnlyStrictCookieHoldingTheToken() throws Exception {
    Response r =
        sluice.send(
            "POST",
            "/ui/login",
            "{\"token\": \"" + operator + "\"}",
            "Content-Type",
            "application/json",
            "Origin",
            origin);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().path("name").asText()).isEqualTo("ops");
    String cookie = r.header("Set-Cookie");
    assertThat(cookie)
        .startsWith(Sessions.COOKIE + "=" + operator + ";")
        .containsIgnoringCase("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .contains("Path=/");
    JsonNode session = get("/ui/api/session", operator).json();
    assertThat(session.path("role").asText()).isEqualTo("operator");
    assertThat(session.path("operate").asBoolean()).isTrue();
    assertThat(session.path("csrf").asText()).hasSizeGreaterThan(30).doesNotContain(operator);
    assertThat(get("/ui/login", operator).status()).isEqualTo(302);
  }

  @Test
  void loginIsRefusedForBadTokensClientTokensOtherSitesAndForms() throws Exception {
    String client = sluice.token("app-" + System.nanoTime() % 100000, "client");
    assertThat(
            sluice
                .send(
                    "POST",
                    "/ui/login",
                    "{\"token\": \"slc_nope\"}",
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(401);
    Response c =
        sluice.send(
            "POST",
            "/ui/login",
            "{\"token\": \"" + client + "\"}",
            "Content-Type",
            "application/json");
    assertThat(c.status()).isEqualTo(403);
    assertThat(c.json().path("error").asText()).contains("may only evaluate flags");
    Response evil =
        sluice.send(
            "POST",
            "/ui/login",
            "{\"token\": \"" + operator + "\"}",
            "Content-Type",
            "application/json",
            "Origin",
            "http://evil.example");
    assertThat(evil.status()).isEqualTo(403);
    assertThat(evil.header("Set-Cookie")).isNull();
    Response form =
        sluice.send(
            "POST",
            "/ui/login",
            "{\"token\": \"" + operator + "\"}",
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertThat(form.status()).isEqualTo(415);
    assertThat(sluice.send("POST", "/ui/login", "{}", "Content-Type", "application/json").status())
        .isEqualTo(400);
  }

  @Test
  void aChangeNeedsThePagesCsrfTokenThisSiteAndAnOperator() throws Exception {
    String ops = login(operator);
    String token = csrf(ops);
    String path = "/ui/api/flags/new-checkout/state";
    String body = "{\"state\": \"DISABLED\"}";

    assertThat(post(path, ops, body).status()).as("no CSRF token").isEqualTo(403);
    assertThat(post(path, ops, body, "X-CSRF-Token", "x" + token).status())
        .as("a wrong one")
        .isEqualTo(403);
    assertThat(
            post(path, ops, body, "X-CSRF-Token", token, "Origin", "http://evil.example").status())
        .as("from another site")
        .isEqualTo(403);
    assertThat(
            post(
                    path,
                    ops,
                    body,
                    "X-CSRF-Token",
                    token,
                    "Origin",
                    "https://sluice.example",
                    "X-Forwarded-Host",
                    "evil.example")
                .status())
        .as("from another site, behind a proxy")
        .isEqualTo(403);
    assertThat(
            post(path, ops, body, "X-CSRF-Token", token, "Sec-Fetch-Site", "cross-site").status())
        .as("a cross-site fetch")
        .isEqualTo(403);
    String watcher = login(viewer);
    Response byViewer = post(path, watcher, body, "X-CSRF-Token", csrf(watcher), "Origin", origin);
    assertThat(byViewer.status()).as("a viewer").isEqualTo(403);
    assertThat(byViewer.json().path("error").asText()).contains("role viewer");
    assertThat(csrf(watcher)).isNotEqualTo(token);
    assertThat(
            sluice
                .daemon
                .flags()
                .current()
                .flags()
                .flag("new-checkout")
                .orElseThrow()
                .config()
                .state())
        .isEqualTo(FlagState.ENABLED);

    Response ok = post(path, ops, body, "X-CSRF-Token", token, "Origin", origin);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().path("changed").asBoolean()).isTrue();
    assertThat(
            sluice
                .daemon
                .flags()
                .current()
                .flags()
                .flag("new-checkout")
                .orElseThrow()
                .config()
                .state())
        .isEqualTo(FlagState.DISABLED);
    assertThat(sluice.daemon.flags().history("new-checkout").getLast().actor()).isEqualTo("ops");
    post(path, ops, "{\"state\": \"ENABLED\"}", "X-CSRF-Token", token);
  }

  @Test
  void aRevokedTokenEndsItsSessionAndLogoutClearsTheCookie() throws Exception {
    String name = "brief-" + System.nanoTime() % 100000;
    String token = sluice.token(name, "viewer");
    String session = login(token);
    assertThat(get("/ui/api/session", session).status()).isEqualTo(200);
    assertThat(sluice.api("DELETE", "/api/v1/tokens/" + name, null).status()).isEqualTo(200);
    assertThat(get("/ui/api/session", session).status()).isEqualTo(401);
    assertThat(get("/", session).status()).isEqualTo(302);

    String ops = login(operator);
    Response out = post("/ui/logout", ops, "{}", "Origin", origin);
    assertThat(out.status()).isEqualTo(204);
    assertThat(out.header("Set-Cookie"))
        .startsWith(Sessions.COOKIE + "=;")
        .contains("Expires=Thu, 01 Jan 1970");
  }

  @Test
  void flagEditsAreValidatedBeforeSavingAndEvaluationsSayWhy() throws Exception {
    String ops = login(operator);
    String token = csrf(ops);
    Response dry =
        post(
            "/ui/api/flags/new-checkout/targeting?dryRun=true",
            ops,
            "{\"targeting\": {\"if\": [true, \"maybe\", null]}}",
            "X-CSRF-Token",
            token);
    assertThat(dry.status()).isEqualTo(200);
    assertThat(dry.json().path("valid").asBoolean()).isFalse();
    assertThat(dry.json().path("problems").get(0).path("message").asText()).contains("maybe");
    long version = sluice.daemon.flags().current().version();
    Response save =
        post(
            "/ui/api/flags/new-checkout/targeting",
            ops,
            "{\"targeting\": {\"if\": [true, \"maybe\", null]}}",
            "X-CSRF-Token",
            token);
    assertThat(save.status()).isEqualTo(400);
    assertThat(save.json().path("problems").size()).isPositive();
    assertThat(sluice.daemon.flags().current().version()).isEqualTo(version);
    Response stale =
        post(
            "/ui/api/flags/new-checkout/weights",
            ops,
            "{\"weights\": {\"on\": 1, \"off\": 1}, \"ifVersion\": " + (version - 1) + "}",
            "X-CSRF-Token",
            token);
    assertThat(stale.status()).isEqualTo(409);

    Response eval =
        post(
            "/ui/api/flags/new-checkout/evaluate",
            ops,
            "{\"context\": {\"targetingKey\": \"user-1\"}}",
            "X-CSRF-Token",
            token,
            // the page as a reverse proxy in front of the daemon serves it
            "Origin",
            "https://sluice.example",
            "X-Forwarded-Host",
            "sluice.example");
    assertThat(eval.status()).as(eval.body()).isEqualTo(200);
    JsonNode e = eval.json();
    assertThat(e.path("reason").asText()).isEqualTo("SPLIT");
    assertThat(e.path("variant").asText()).isIn("on", "off");
    assertThat(e.path("why").asText()).contains("percentage rollout").contains("user-1");
    assertThat(sluice.daemon.flags().lastEvaluated()).doesNotContainKey("new-checkout");

    JsonNode list = get("/ui/api/flags", ops).json();
    JsonNode flag = list.path("flags").get(0);
    assertThat(flag.path("rollout").toString())
        .isEqualTo(
            "[{\"variant\":\"on\",\"weight\":25,\"percent\":25.0},"
                + "{\"variant\":\"off\",\"weight\":75,\"percent\":75.0}]");
    assertThat(flag.path("owner").asText()).isEqualTo("team-checkout");
  }

  @Test
  void theReleasePageHasTheStepsMeasurementsSeriesAndHistory() throws Exception {
    awaitCanaryPaused();
    String session = login(viewer);
    await()
        .atMost(WAIT)
        .until(() -> get("/ui/api/apps/shop", session).json().path("measurements").size() > 0);
    JsonNode page = get("/ui/api/apps/shop", session).json();
    JsonNode release = page.path("status").path("release");
    assertThat(release.path("version").asText()).isEqualTo("v2");
    assertThat(release.path("status").asText()).isEqualTo("Paused");
    List<String> states = new ArrayList<>();
    release.path("steps").forEach(s -> states.add(s.path("state").asText()));
    assertThat(states).containsExactly("done", "done", "done", "current", "ahead");
    assertThat(release.path("steps").get(3).path("label").asText())
        .isEqualTo("pause until promoted");
    assertThat(page.path("status").path("health").path("colour").asText()).isEqualTo("amber");
    JsonNode m = page.path("measurements").get(0);
    assertThat(m.path("run").asText()).isEqualTo("background");
    assertThat(m.path("verdict").asText()).isNotEmpty();
    assertThat(page.path("series").path("t").size()).isPositive();
    assertThat(page.path("series").path("versions").has("v1")).isTrue();
    assertThat(page.path("releases").size()).isEqualTo(2);
    assertThat(page.path("releases").get(0).path("version").asText()).isEqualTo("v2");
    assertThat(page.path("timeline").toString()).contains("step 3: setWeight 40");
    assertThat(page.toString()).doesNotContain("\"spec\"");

    JsonNode overview = get("/ui/api/apps", session).json();
    JsonNode v1 = overview.path("apps").get(0).path("versions").get(0);
    assertThat(v1.path("version").asText()).isEqualTo("v1");
    assertThat(v1.path("traffic").path("rps").asDouble()).isPositive();
  }

  @Test
  void theReleaseStreamSendsTheStatusAndPointsAfterThePagesOwn() throws Exception {
    String session = login(viewer);
    await()
        .atMost(WAIT)
        .until(() -> get("/ui/api/apps/shop", session).json().path("lastSecond").asLong() > 0);
    JsonNode page = get("/ui/api/apps/shop", session).json();
    long after = page.path("lastSecond").asLong();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    sluice.url()
                        + "/ui/api/apps/shop/stream?after="
                        + after
                        + "&afterSeq="
                        + page.path("lastSeq").asLong()))
            .header("Cookie", Sessions.COOKIE + "=" + session)
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<Stream<String>> r =
        TestDaemon.HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    LinkedBlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  String name = null;
                  Iterator<String> it = r.body().iterator();
                  try {
                    while (it.hasNext()) {
                      String line = it.next();
                      if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                      } else if (line.startsWith("data:") && name != null) {
                        events.add(new String[] {name, line.substring(5).trim()});
                      }
                    }
                  } catch (RuntimeException e) {
                    // the stream closed
                  }
                });
    try {
      boolean status = false;
      boolean points = false;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!(status && points) && System.nanoTime() < deadline) {
        String[] e = events.poll(1, TimeUnit.SECONDS);
        if (e == null) {
          continue;
        }
        JsonNode data = Json.MAPPER.readTree(e[1]);
        if (e[0].equals("status")) {
          status = data.path("app").asText().equals("shop");
        } else if (e[0].equals("points")) {
          assertThat(data.path("t").get(0).asLong()).isGreaterThan(after);
          points = true;
        }
      }
      assertThat(status).as("a status event").isTrue();
      assertThat(points).as("a points event with seconds after the page's").isTrue();
    } finally {
      r.body().close();
      reader.interrupt();
    }
  }
}
