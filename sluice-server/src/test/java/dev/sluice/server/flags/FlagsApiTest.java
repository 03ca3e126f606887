package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.FlagSet;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Role;
import dev.sluice.server.flags.RunningDaemon.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flag admin API, sync and change stream of a real daemon. */
class FlagsApiTest {
  static final String CHECKOUT = FlagServiceTest.CHECKOUT;

  @TempDir static Path dir;
  static RunningDaemon sluice;
  static String client;
  static String viewer;
  static String operator;

  @BeforeAll
  static void start() throws Exception {
    sluice = RunningDaemon.start(dir, null);
    client = sluice.token("web", Role.CLIENT, null);
    viewer = sluice.token("dash", Role.VIEWER, null);
    operator = sluice.token("ada", Role.OPERATOR, null);
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  @BeforeEach
  void importCheckout() throws Exception {
    Response r = sluice.post("/api/v1/flagset", CHECKOUT);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static long version() {
    return sluice.daemon.flags().current().version();
  }

  @Test
  void callsNeedATokenWithARoleThatAllowsThem() throws Exception {
    assertThat(sluice.send("GET", "/api/v1/flags", null, null).status()).isEqualTo(401);
    assertThat(sluice.send("GET", "/api/v1/flags", "slc_wrong", null).status()).isEqualTo(401);
    Response asClient = sluice.send("GET", "/api/v1/flags", client, null);
    assertThat(asClient.status()).isEqualTo(403);
    assertThat(asClient.json().path("error").asText())
        .isEqualTo("token web has role client; this call needs viewer");
    assertThat(sluice.send("GET", "/api/v1/flags", viewer, null).status()).isEqualTo(200);
    long before = version();
    assertThat(sluice.send("POST", "/api/v1/flags/banner/disable", viewer, "{}").status())
        .isEqualTo(403);
    assertThat(sluice.send("POST", "/api/v1/flagset", client, "{\"flags\": {}}").status())
        .isEqualTo(403);
    assertThat(version()).isEqualTo(before);
    assertThat(sluice.send("GET", "/api/v1/flagset/sync", client, null).status()).isEqualTo(200);
  }

  @Test
  void anImportedSetIsListedReadAndExportedAsItWasWritten() throws Exception {
    JsonNode list = sluice.get("/api/v1/flags").json();
    assertThat(list.path("version").asLong()).isEqualTo(version());
    assertThat(list.path("flags"))
        .extracting(f -> f.path("key").asText())
        .containsExactly("banner", "new-checkout");
    JsonNode checkout = list.path("flags").get(1);
    assertThat(checkout.path("type").asText()).isEqualTo("boolean");
    assertThat(checkout.path("state").asText()).isEqualTo("ENABLED");
    assertThat(checkout.path("owner").asText()).isEqualTo("team-checkout");
    assertThat(checkout.path("expires").asText()).isEqualTo("2026-12-31");
    assertThat(checkout.path("targeting").toString())
        .isEqualTo("{\"fractional\":[[\"on\",10],[\"off\",90]]}");

    JsonNode banner = sluice.get("/api/v1/flags/banner").json();
    assertThat(banner.path("definition").path("variants").path("blue").asText()).isEqualTo("#00f");
    assertThat(sluice.get("/api/v1/flags/nope").status()).isEqualTo(404);

    Response export = sluice.get("/api/v1/flagset");
    assertThat(FlagSet.parse(export.body())).isEqualTo(FlagSet.parse(CHECKOUT));
    assertThat(export.header("ETag")).isEqualTo(FlagSet.parse(CHECKOUT).etag());
    assertThat(export.header("Sluice-Flags-Version")).isEqualTo(Long.toString(version()));
  }

  @Test
  void anExportForOneEnvironmentIsPlainFlagd() throws Exception {
    sluice.post("/api/v1/flags/new-checkout/disable", "{\"environment\": \"eu\"}");
    JsonNode all = Json.MAPPER.readTree(sluice.get("/api/v1/flagset").body());
    assertThat(all.at("/flags/new-checkout/environments/eu/state").asText()).isEqualTo("DISABLED");
    JsonNode eu = Json.MAPPER.readTree(sluice.get("/api/v1/flagset?environment=eu").body());
    assertThat(eu.at("/flags/new-checkout/state").asText()).isEqualTo("DISABLED");
    assertThat(eu.at("/flags/new-checkout").has("environments")).isFalse();
  }

  @Test
  void anInvalidImportIsRefusedWithEveryProblemAndChangesNothing() throws Exception {
    long before = version();
    Response r =
        sluice.post(
            "/api/v1/flagset",
            """
            {"flags": {
              "a": {"state": "ON", "variants": {"on": true}, "defaultVariant": "on"},
              "b": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "of"}}}
            """);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("problems"))
        .extracting(p -> p.path("message").asText())
        .containsExactly(
            "flags.a.state: \"ON\" (expected: ENABLED or DISABLED)",
            "flags.b.defaultVariant: \"of\" (expected: one of the variants: on)");
    assertThat(r.json().path("error").asText()).startsWith("the flags are not valid, so nothing");

    Response broken = sluice.post("/api/v1/flagset", "{\"flags\": {,}}");
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.json().path("problems").get(0).path("message").asText())
        .startsWith("line 1, column 12:");

    assertThat(version()).isEqualTo(before);
    assertThat(FlagSet.parse(sluice.get("/api/v1/flagset").body()))
        .isEqualTo(FlagSet.parse(CHECKOUT));
  }

  @Test
  void eachEditIsAVersionWithAnAuditEntryOfWhoAndWhatBeforeAndAfter() throws Exception {
    long start = version();
    Response disable =
        sluice.send(
            "POST", "/api/v1/flags/banner/disable", operator, "{\"environment\": \"production\"}");
    assertThat(disable.status()).as(disable.body()).isEqualTo(200);
    assertThat(disable.json().path("version").asLong()).isEqualTo(start + 1);
    assertThat(disable.json().path("changed").asBoolean()).isTrue();
    assertThat(disable.json().path("changedKeys").toString()).isEqualTo("[\"banner\"]");

    Response again =
        sluice.send(
            "POST", "/api/v1/flags/banner/disable", operator, "{\"environment\": \"production\"}");
    assertThat(again.json().path("changed").asBoolean()).isFalse();
    assertThat(again.json().path("version").asLong()).isEqualTo(start + 1);

    assertThat(
            sluice
                .send("POST", "/api/v1/flags/banner/default", operator, "{\"variant\": \"blue\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            sluice
                .send(
                    "POST",
                    "/api/v1/flags/new-checkout/weights",
                    operator,
                    "{\"weights\": {\"on\": 25, \"off\": 75}}")
                .status())
        .isEqualTo(200);
    assertThat(sluice.send("POST", "/api/v1/flags/new-checkout/enable", operator, "").status())
        .isEqualTo(200); // already enabled: no change
    assertThat(version()).isEqualTo(start + 3);

    JsonNode history = sluice.get("/api/v1/flags/banner/history").json();
    JsonNode changes = history.path("changes");
    JsonNode last = changes.get(changes.size() - 1);
    assertThat(last.path("version").asLong()).isEqualTo(start + 2);
    assertThat(last.path("actor").asText()).isEqualTo("ada");
    assertThat(last.path("action").asText()).isEqualTo("set-default");
    assertThat(last.path("detail").asText()).isEqualTo("set the default variant of banner to blue");
    assertThat(last.path("before").path("defaultVariant").asText()).isEqualTo("red");
    assertThat(last.path("after").path("defaultVariant").asText()).isEqualTo("blue");
    JsonNode disabled = changes.get(changes.size() - 2);
    assertThat(disabled.path("detail").asText()).isEqualTo("disabled banner in production");
    assertThat(disabled.path("after").at("/environments/production/state").asText())
        .isEqualTo("DISABLED");

    JsonNode versions = sluice.get("/api/v1/flagset/versions?after=" + start).json();
    assertThat(versions.path("versions"))
        .extracting(v -> v.path("version").asLong() + " " + v.path("action").asText())
        .containsExactly(
            (start + 1) + " disable", (start + 2) + " set-default", (start + 3) + " set-weights");
    JsonNode v2 = sluice.get("/api/v1/flagset/versions/" + (start + 2)).json();
    assertThat(v2.at("/flags/flags/banner/defaultVariant").asText()).isEqualTo("blue");
    assertThat(v2.at("/flags/flags/new-checkout/targeting").toString()).contains("[\"on\",10]");
  }

  @Test
  void badEditsAreRefusedWithTheirReasonAndChangeNothing() throws Exception {
    long before = version();
    assertThat(sluice.post("/api/v1/flags/nope/disable", "{}").status()).isEqualTo(404);
    Response unknownField = sluice.post("/api/v1/flags/banner/disable", "{\"env\": \"x\"}");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.json().path("error").asText())
        .isEqualTo("request body: env: unknown field (expected: one of environment)");
    Response badWeight =
        sluice.post("/api/v1/flags/new-checkout/weights", "{\"weights\": {\"on\": 12.5}}");
    assertThat(badWeight.status()).isEqualTo(400);
    assertThat(badWeight.json().path("error").asText())
        .isEqualTo(
            "request body: weights.on: 12.5 (expected: a whole number from 0 to 2147483647)");
    Response badVariant = sluice.post("/api/v1/flags/banner/default", "{\"variant\": \"green\"}");
    assertThat(badVariant.status()).isEqualTo(400);
    assertThat(badVariant.json().path("problems").get(0).path("message").asText())
        .isEqualTo(
            "flags.banner.defaultVariant: \"green\" (expected: one of the variants: red, blue)");
    Response stale = sluice.post("/api/v1/flags/banner/disable?ifVersion=" + (before - 1), "{}");
    assertThat(stale.status()).isEqualTo(409);
    Response badPut = sluice.post("/api/v1/flags/x", "[1]");
    assertThat(badPut.status()).isEqualTo(400);
    assertThat(version()).isEqualTo(before);
    assertThat(sluice.get("/api/v1/flags/nope/history").status()).isEqualTo(404);
  }

  @Test
  void aFlagCanBeCreatedReplacedAndDeleted() throws Exception {
    Response created =
        sluice.post(
            "/api/v1/flags/dark-mode",
            "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
                + " \"defaultVariant\": \"on\"}");
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    assertThat(sluice.get("/api/v1/flags/dark-mode").json().path("defaultVariant").asText())
        .isEqualTo("on");
    assertThat(sluice.send("DELETE", "/api/v1/flags/dark-mode", sluice.admin, null).status())
        .isEqualTo(200);
    assertThat(sluice.get("/api/v1/flags/dark-mode").status()).isEqualTo(404);
    JsonNode history = sluice.get("/api/v1/flags/dark-mode/history").json().path("changes");
    assertThat(history).extracting(c -> c.path("action").asText()).endsWith("put", "delete");
    assertThat(history.get(history.size() - 1).path("after").isNull()).isTrue();
  }

  @Test
  void syncServesTheSetForTheTokensEnvironmentWithAnEtag() throws Exception {
    sluice.post("/api/v1/flags/banner/default", "{\"variant\": \"blue\", \"environment\": \"eu\"}");
    Response all = sluice.send("GET", "/api/v1/flagset/sync", client, null);
    assertThat(all.status()).isEqualTo(200);
    JsonNode body = all.json();
    assertThat(body.path("version").asLong()).isEqualTo(version());
    assertThat(body.path("environment").isNull()).isTrue();
    assertThat(body.at("/flags/flags/banner/environments/eu/defaultVariant").asText())
        .isEqualTo("blue");
    assertThat(all.header("ETag")).isEqualTo(body.path("etag").asText());
    Response notModified =
        sluice.send(
            "GET",
            "/api/v1/flagset/sync",
            client,
            null,
            List.of("If-None-Match", all.header("ETag")));
    assertThat(notModified.status()).isEqualTo(304);

    String eu = sluice.token("web-eu-" + version(), Role.CLIENT, "eu");
    JsonNode euBody = sluice.send("GET", "/api/v1/flagset/sync", eu, null).json();
    assertThat(euBody.path("environment").asText()).isEqualTo("eu");
    assertThat(euBody.at("/flags/flags/banner/defaultVariant").asText()).isEqualTo("blue");
    assertThat(euBody.at("/flags/flags/banner").has("environments")).isFalse();
    assertThat(euBody.path("etag").asText()).isNotEqualTo(body.path("etag").asText());
  }

  @Test
  void theChangeStreamAnnouncesTheCurrentVersionThenEveryNewOne() throws Exception {
    try (SseEvents none = SseEvents.open(sluice.daemon.apiUrl() + FlagsApi.CHANGES, null)) {
      assertThat(none.status).isEqualTo(401);
    }
    try (SseEvents events = SseEvents.open(sluice.daemon.apiUrl() + FlagsApi.CHANGES, client)) {
      assertThat(events.status).isEqualTo(200);
      SseEvents.Event first = events.next(Duration.ofSeconds(5));
      assertThat(first).isNotNull();
      assertThat(first.name()).isEqualTo("message");
      assertThat(first.id()).isEqualTo(Long.toString(version()));
      assertThat(first.json().path("type").asText()).isEqualTo("refetchEvaluation");
      assertThat(first.json().path("version").asLong()).isEqualTo(version());
      assertThat(first.json().path("etag").asText())
          .isEqualTo(sluice.daemon.flags().current().flags().etag());

      sluice.post("/api/v1/flags/banner/disable", "{}");
      SseEvents.Event change = events.next(Duration.ofSeconds(5));
      assertThat(change).isNotNull();
      assertThat(change.json().path("version").asLong()).isEqualTo(version());
      assertThat(change.json().path("changedKeys").toString()).isEqualTo("[\"banner\"]");
    }
  }

  @Test
  void tokensCanNameTheirFlagEnvironment() throws Exception {
    sluice.token("mobile-prod", Role.CLIENT, "production");
    JsonNode tokens = sluice.get("/api/v1/tokens").json().path("tokens");
    assertThat(tokens)
        .filteredOn(t -> t.path("name").asText().equals("mobile-prod"))
        .extracting(t -> t.path("environment").asText())
        .containsExactly("production");
    Response bad =
        sluice.post(
            "/api/v1/tokens", "{\"name\": \"x\", \"role\": \"client\", \"environment\": \"a b\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("error").asText()).contains("environment: \"a b\"");
  }

  @Test
  void flagsPastTheirExpiryAreListedAsStale() throws Exception {
    sluice.post(
        "/api/v1/flags/old-promo",
        "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
            + " \"defaultVariant\": \"on\", \"metadata\": {\"owner\": \"growth\","
            + " \"expires\": \"2020-01-31\"}}");
    JsonNode stale = sluice.get("/api/v1/flagset/stale?days=30").json();
    assertThat(stale.path("flags"))
        .filteredOn(f -> f.path("key").asText().equals("old-promo"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path("owner").asText()).isEqualTo("growth");
              assertThat(f.path("reasons").get(0).path("kind").asText()).isEqualTo("expired");
              assertThat(f.path("reasons").get(0).path("detail").asText())
                  .isEqualTo("expired on 2020-01-31");
            });
    assertThat(sluice.get("/api/v1/flagset/stale?days=x").status()).isEqualTo(400);
  }

  @Test
  void evaluationsReportedByInProcessSdksCount() throws Exception {
    Response r =
        sluice.send("POST", "/api/v1/flagset/evaluated", client, "{\"keys\": [\"banner\"]}");
    assertThat(r.status()).isEqualTo(204);
    JsonNode banner = sluice.get("/api/v1/flags/banner").json();
    assertThat(banner.path("lastEvaluatedAt").isTextual()).isTrue();
  }

  @Test
  void theSpecsFlagFileIsLoadedAndReloadedWhenItChanges(@TempDir Path other) throws Exception {
    Files.createDirectories(other.resolve("conf"));
    Path file = other.resolve("conf/flags.json");
    Files.writeString(file, CHECKOUT);
    try (RunningDaemon withFile = RunningDaemon.start(other, "conf/flags.json")) {
      JsonNode list = withFile.get("/api/v1/flags").json();
      assertThat(list.path("flags")).hasSize(2);
      assertThat(list.at("/file/path").asText()).isEqualTo(file.toString());
      assertThat(list.at("/file/error").isNull()).isTrue();
      assertThat(list.at("/file/loadedVersion").asLong()).isEqualTo(1);

      Files.writeString(file, CHECKOUT.replace("#00f", "#0000ff"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> withFile.daemon.flags().current().version() == 2);
      JsonNode history = withFile.get("/api/v1/flags/banner/history").json().path("changes");
      assertThat(history.get(1).path("actor").asText()).isEqualTo("file");
      assertThat(history.get(1).path("detail").asText())
          .isEqualTo("loaded flags.json (2 flags); changed: banner");
    }
  }

  @Test
  void aRolloutRequestThatIsWrongIsRefusedAndChangesNothing() throws Exception {
    long before = version();
    String path = "/api/v1/flags/new-checkout/rollout";
    String good =
        "{\"variant\": \"on\", \"steps\": [5, 50, 100], \"interval\": \"30s\","
            + " \"analysis\": [\"error_rate\"]}";
    assertThat(sluice.send("POST", path, viewer, good).status()).isEqualTo(403);
    Response missing = sluice.post(path, "{\"steps\": [5]}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("error").asText())
        .isEqualTo(
            "request body: variant: missing (expected: the variant to roll out, e.g. \"on\")");
    Response steps = sluice.post(path, good.replace("[5, 50, 100]", "[5, \"half\"]"));
    assertThat(steps.json().path("error").asText())
        .isEqualTo("request body: steps: \"half\" (expected: whole-number weights in percent)");
    Response unknown = sluice.post(path, good.replace("\"interval\"", "\"every\""));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("error").asText())
        .startsWith("request body: every: unknown field");
    Response duration = sluice.post(path, good.replace("30s", "soon"));
    assertThat(duration.json().path("error").asText())
        .isEqualTo("request body: interval: \"soon\" (expected: a duration like 30s)");
    assertThat(sluice.post("/api/v1/flags/nope/rollout", good).status()).isEqualTo(404);
    // The daemon's app has no edgeFlags: nothing could measure the variants.
    Response noEdge = sluice.post(path, good);
    assertThat(noEdge.status()).isEqualTo(409);
    assertThat(noEdge.json().path("error").asText())
        .startsWith("no app evaluates flag new-checkout at the edge");
    assertThat(sluice.get(path).status()).isEqualTo(404);
    assertThat(sluice.post(path + "/abort", "{}").status()).isEqualTo(409);
    assertThat(version()).isEqualTo(before);
  }
}
