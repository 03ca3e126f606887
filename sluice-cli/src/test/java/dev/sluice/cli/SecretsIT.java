package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never show: a daemon whose spec holds secret environment values, an analysis metric
 * called with an Authorization header and a key in its URL (and another with a password in its user
 * info, which fails), an HTTP hook and a notification webhook with keys, and a token created with
 * {@code sluice token create}; a canary release runs; then none of the secrets is in the daemon's
 * log, the CLI's output ({@code deploy}, {@code status -o json}, {@code history -o json}, {@code
 * token list}), the notifications' payloads, or the {@code releases} API.
 */
class SecretsIT {
  @TempDir Path dir;

  private static String secret(String what) {
    return what + "-" + UUID.randomUUID().toString().replace("-", "");
  }

  private final String dbPassword = secret("dbpass");
  private final String apiKey = secret("apikey");
  private final String metricHeader = secret("metricheader");
  private final String metricQuery = secret("metricquery");
  private final String metricUserInfo = secret("metricuserinfo");
  private final String brokenQuery = secret("brokenquery");
  private final String hookKey = secret("hookkey");
  private final String webhookKey = secret("webhookkey");

  private final List<String> notifications = new CopyOnWriteArrayList<>();
  private final AtomicInteger authorizedMetricReads = new AtomicInteger();

  @Test
  void noSecretAppearsInLogsEventsStatusNotificationsOrTheApi() throws Exception {
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/stats", this::stats);
    receiver.createContext("/broken", x -> answer(x, 500, "{}"));
    receiver.createContext("/hook", x -> answer(x, 200, "{}"));
    receiver.createContext(
        "/notify",
        x -> {
          notifications.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          answer(x, 200, "{}");
        });
    receiver.start();
    int port = receiver.getAddress().getPort();
    try (Sluice s = new Sluice(dir, spec(port)).up()) {
      Sluice.Result created = s.cli("token", "create", "ci-bot", "--role", "viewer");
      assertThat(created.exit()).as(created.toString()).isZero();
      String token = created.out().trim();
      assertThat(token).startsWith("slc_");

      Sluice.Result v1 = s.cli("deploy", "shop", "v1", "--wait");
      assertThat(v1.exit()).as(v1.toString()).isZero();
      // The test waits for the canary's measurements and notifications, then ends the release.
      Sluice.Result v2 = s.cli("deploy", "shop", "v2", "--wait", "--timeout", "20s");
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    notifications.size() >= 2
                        && authorizedMetricReads.get() > 0
                        && s.cli("history", "shop", "-o", "json")
                            .out()
                            .contains("AnalysisMeasured"));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "the canary was not measured and notified: notifications "
                + notifications
                + ", authorized metric reads "
                + authorizedMetricReads
                + "\ndeploy: "
                + v2
                + "\nhistory: "
                + s.cli("history", "shop").out(),
            e);
      }
      // Aborted if still paused; it may also have ended by itself, rolled back or promoted.
      Sluice.Result abort = s.cli("abort", "shop");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                String all = String.join("\n", notifications);
                return all.contains("\"aborted\"")
                    || all.contains("\"rolledBack\"")
                    || all.contains("\"failed\"")
                    || all.contains("v2 is stable");
              });

      Sluice.Result status = s.cli("status", "shop", "-o", "json");
      Sluice.Result history = s.cli("history", "shop", "-o", "json");
      Sluice.Result tokens = s.cli("token", "list");
      assertThat(status.exit()).isZero();
      assertThat(history.exit()).isZero();
      assertThat(history.out()).contains("ReleaseStarted");
      String releases = api(s, "/api/v1/apps/shop/releases");
      String events = api(s, "/api/v1/apps/shop/history");
      s.down();
      String log = Files.readString(dir.resolve("daemon.log"));
      assertThat(log).contains("token created: name=ci-bot role=viewer environment=- by=admin");

      Map<String, String> places = new LinkedHashMap<>();
      places.put("the daemon's log", log);
      places.put("sluice token create (stderr)", created.err());
      places.put("sluice deploy v1", v1.out() + v1.err());
      places.put("sluice deploy v2", v2.out() + v2.err());
      places.put("sluice abort", abort.out() + abort.err());
      places.put("sluice status -o json", status.out() + status.err());
      places.put("sluice history -o json", history.out() + history.err());
      places.put("sluice token list", tokens.out() + tokens.err());
      places.put("the releases API", releases);
      places.put("the history API", events);
      places.put("the notifications", String.join("\n", notifications));
      Map<String, String> secrets = new LinkedHashMap<>();
      secrets.put("an env value (DB_PASSWORD)", dbPassword);
      secrets.put("an env value (API_KEY)", apiKey);
      secrets.put("a metric's Authorization header", metricHeader);
      secrets.put("a key in a metric's URL", metricQuery);
      secrets.put("a password in a metric URL's user info", metricUserInfo);
      secrets.put("a key in a failing metric's URL", brokenQuery);
      secrets.put("a key in a hook's URL", hookKey);
      secrets.put("a key in a webhook's URL", webhookKey);
      secrets.put("the created token", token);
      secrets.put("the admin token", s.token());
      for (var place : places.entrySet()) {
        for (var secret : secrets.entrySet()) {
          assertThat(place.getValue())
              .as("%s must not show %s", place.getKey(), secret.getKey())
              .doesNotContain(secret.getValue());
        }
      }
    } finally {
      receiver.stop(0);
    }
  }

  private String spec(int port) {
    String origin = "http://127.0.0.1:" + port;
    return """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [%s, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx48m", "-jar", %s, sample-app, --version, "${version}"]
                replicas: 1
                stopGrace: 5s
                env: {DB_PASSWORD: "%s", API_KEY: "%s"}
            health: {path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
            progressDeadline: 1m
            strategy:
              canary:
                scaleDownDelay: 1s
                analysis:
                  interval: 1s
                  minRequests: 0
                  metrics:
                    - name: queue
                      http: {url: "%s/stats?app={{app}}&key=%s", jsonPointer: /depth, headers: {Authorization: "Bearer %s"}, timeout: 2s}
                      max: 100
                    - name: broken
                      http: {url: "http://metrics:%s@127.0.0.1:%d/broken?key=%s", jsonPointer: /x, timeout: 2s}
                      max: 1
                steps:
                  - setWeight: 50
                  - pause: {duration: 3s}
            hooks:
              prePromotion: [{http: {url: "%s/hook?key=%s"}}]
            notifications:
              - webhook: "%s/notify?key=%s"
        """
        .formatted(
            Json.write(Sluice.JAVA),
            Json.write(Sluice.JAR.toAbsolutePath().toString()),
            dbPassword,
            apiKey,
            origin,
            metricQuery,
            metricHeader,
            metricUserInfo,
            port,
            brokenQuery,
            origin,
            hookKey,
            origin,
            webhookKey);
  }

  private void stats(HttpExchange x) throws IOException {
    if (("Bearer " + metricHeader).equals(x.getRequestHeaders().getFirst("Authorization"))) {
      authorizedMetricReads.incrementAndGet();
      answer(x, 200, "{\"depth\": 1}");
    } else {
      answer(x, 401, "{}");
    }
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  private static String api(Sluice s, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(s.apiUrl() + path))
                    .header("Authorization", "Bearer " + s.token())
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
