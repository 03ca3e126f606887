package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.auth.Role;
import dev.sluice.server.flags.RunningDaemon.Response;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OFREP against a real daemon, checked against the shapes and status codes of the OFREP OpenAPI
 * document (open-feature/protocol, service/openapi.yaml).
 */
class OfrepApiTest {
  static final String FLAGS =
      """
      {"metadata": {"flagSetId": "shop"},
       "flags": {
        "new-checkout": {
          "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 50], ["off", 50]]},
          "metadata": {"owner": "team-checkout"},
          "environments": {"production": {"state": "DISABLED"}}
        },
        "banner": {"state": "ENABLED", "variants": {"red": "#f00", "blue": "#00f"},
                   "defaultVariant": "red",
                   "targeting": {"if": [{"==": [{"var": "environment"}, "staging"]}, "blue", null]}},
        "limits": {"state": "ENABLED", "variants": {"small": {"rps": 10}, "big": {"rps": 1000}},
                   "defaultVariant": "big"},
        "retired": {"state": "DISABLED", "variants": {"on": true}, "defaultVariant": "on"},
        "no-default": {"state": "ENABLED", "variants": {"on": 1.5}, "defaultVariant": null}
      }}
      """;

  @TempDir static Path dir;
  static RunningDaemon sluice;
  static String client;
  static String production;

  @BeforeAll
  static void start() throws Exception {
    sluice = RunningDaemon.start(dir, null);
    Response r = sluice.post("/api/v1/flagset", FLAGS);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    client = sluice.token("web", Role.CLIENT, null);
    production = sluice.token("web-prod", Role.CLIENT, "production");
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  private static Response evaluate(String key, String body, String token) throws Exception {
    return sluice.send("POST", "/ofrep/v1/evaluate/flags/" + key, token, body);
  }

  @Test
  void aFlagEvaluatesToItsValueVariantReasonAndMetadata() throws Exception {
    Response r = evaluate("new-checkout", "{\"context\": {\"targetingKey\": \"user-1\"}}", client);
    assertThat(r.status()).isEqualTo(200);
    JsonNode json = r.json();
    assertThat(json.path("key").asText()).isEqualTo("new-checkout");
    assertThat(json.path("value").isBoolean()).isTrue();
    assertThat(json.path("reason").asText()).isEqualTo("SPLIT");
    assertThat(json.path("variant").asText()).isIn("on", "off");
    assertThat(json.path("value").asBoolean())
        .isEqualTo(json.path("variant").asText().equals("on"));
    assertThat(json.path("metadata").path("owner").asText()).isEqualTo("team-checkout");
    assertThat(json.path("metadata").path("flagSetId").asText()).isEqualTo("shop");

    JsonNode object = evaluate("limits", "{}", client).json();
    assertThat(object.path("value").toString()).isEqualTo("{\"rps\":1000}");
    assertThat(object.path("reason").asText()).isEqualTo("STATIC");
  }

  @Test
  void aFlagThatServesNoVariantLeavesTheValueToTheCodeDefault() throws Exception {
    JsonNode disabled = evaluate("retired", "{}", client).json();
    assertThat(disabled.path("reason").asText()).isEqualTo("DISABLED");
    assertThat(disabled.has("value")).isFalse();
    assertThat(disabled.has("variant")).isFalse();
    JsonNode none = evaluate("no-default", "{}", client).json();
    assertThat(none.path("reason").asText()).isEqualTo("DEFAULT");
    assertThat(none.has("value")).isFalse();
  }

  @Test
  void errorsHaveTheStatusAndCodeTheProtocolDefines() throws Exception {
    Response missing = evaluate("nope", "{}", client);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("key").asText()).isEqualTo("nope");
    assertThat(missing.json().path("errorCode").asText()).isEqualTo("FLAG_NOT_FOUND");
    assertThat(missing.json().path("errorDetails").asText()).isEqualTo("flag nope not found");

    Response noKey = evaluate("new-checkout", "{\"context\": {}}", client);
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(noKey.json().path("errorCode").asText()).isEqualTo("TARGETING_KEY_MISSING");
    assertThat(noKey.json().path("key").asText()).isEqualTo("new-checkout");

    Response parse = evaluate("new-checkout", "{\"context\": ", client);
    assertThat(parse.status()).isEqualTo(400);
    assertThat(parse.json().path("errorCode").asText()).isEqualTo("PARSE_ERROR");
    assertThat(parse.json().path("errorDetails").asText()).startsWith("request body: line 1");

    Response notAnObject = evaluate("new-checkout", "{\"context\": [1]}", client);
    assertThat(notAnObject.status()).isEqualTo(400);
    assertThat(notAnObject.json().path("errorCode").asText()).isEqualTo("INVALID_CONTEXT");

    Response badKey = evaluate("new-checkout", "{\"context\": {\"targetingKey\": 7}}", client);
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(badKey.json().path("errorCode").asText()).isEqualTo("INVALID_CONTEXT");
  }

  @Test
  void callsWithoutAValidTokenAreUnauthorized() throws Exception {
    assertThat(evaluate("banner", "{}", null).status()).isEqualTo(401);
    assertThat(evaluate("banner", "{}", "slc_nope").status()).isEqualTo(401);
    assertThat(sluice.send("POST", "/ofrep/v1/evaluate/flags", null, "{}").status()).isEqualTo(401);
    Response apiKey =
        sluice.send(
            "POST", "/ofrep/v1/evaluate/flags/banner", null, "{}", List.of("X-API-Key", client));
    assertThat(apiKey.status()).isEqualTo(200);
    // client is the weakest role: it evaluates, and every stronger role may too
    assertThat(evaluate("banner", "{}", sluice.admin).status()).isEqualTo(200);
    Response forbidden = sluice.send("GET", "/api/v1/flags", client, null);
    assertThat(forbidden.status()).isEqualTo(403);
  }

  @Test
  void theEnvironmentComesFromTheTokenBeforeTheContext() throws Exception {
    String staging = "{\"context\": {\"targetingKey\": \"u\", \"environment\": \"staging\"}}";
    assertThat(evaluate("banner", staging, client).json().path("variant").asText())
        .isEqualTo("blue");
    assertThat(evaluate("banner", staging, production).json().path("variant").asText())
        .isEqualTo("red");
    assertThat(evaluate("new-checkout", staging, production).json().path("reason").asText())
        .isEqualTo("DISABLED");
    String inProduction =
        "{\"context\": {\"targetingKey\": \"u\", \"environment\": \"production\"}}";
    assertThat(evaluate("new-checkout", inProduction, client).json().path("reason").asText())
        .isEqualTo("DISABLED");
  }

  @Test
  void bulkEvaluationReturnsEveryEnabledFlagWithAnEtag() throws Exception {
    String body = "{\"context\": {\"targetingKey\": \"user-1\"}}";
    Response r = sluice.send("POST", "/ofrep/v1/evaluate/flags", client, body);
    assertThat(r.status()).isEqualTo(200);
    JsonNode flags = r.json().path("flags");
    assertThat(flags)
        .extracting(f -> f.path("key").asText())
        .containsExactly("banner", "limits", "new-checkout", "no-default");
    assertThat(r.json().path("metadata").path("flagSetId").asText()).isEqualTo("shop");
    assertThat(r.json().at("/refreshConnections/0/type").asText()).isEqualTo("sse");
    assertThat(r.json().at("/refreshConnections/0/url").asText())
        .isEqualTo(sluice.daemon.apiUrl() + "/api/v1/flagset/changes");
    String etag = r.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");

    Response again =
        sluice.send(
            "POST", "/ofrep/v1/evaluate/flags", client, body, List.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    // another context gives another answer, so the old tag does not match it
    Response other =
        sluice.send(
            "POST",
            "/ofrep/v1/evaluate/flags",
            client,
            "{\"context\": {\"targetingKey\": \"u\", \"environment\": \"staging\"}}",
            List.of("If-None-Match", etag));
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.header("ETag")).isNotEqualTo(etag);

    // a bulk answer carries per-flag errors as items
    JsonNode noKey =
        sluice.send("POST", "/ofrep/v1/evaluate/flags", client, "{}").json().path("flags");
    assertThat(noKey)
        .filteredOn(f -> f.path("key").asText().equals("new-checkout"))
        .singleElement()
        .satisfies(
            f -> assertThat(f.path("errorCode").asText()).isEqualTo("TARGETING_KEY_MISSING"));

    Response broken = sluice.send("POST", "/ofrep/v1/evaluate/flags", client, "[");
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.json().path("errorCode").asText()).isEqualTo("PARSE_ERROR");
  }

  @Test
  void aChangedFlagSetChangesTheBulkEtag() throws Exception {
    String body = "{\"context\": {\"targetingKey\": \"user-1\"}}";
    String before = sluice.send("POST", "/ofrep/v1/evaluate/flags", client, body).header("ETag");
    sluice.post("/api/v1/flags/limits/default", "{\"variant\": \"small\"}");
    try {
      Response after =
          sluice.send(
              "POST", "/ofrep/v1/evaluate/flags", client, body, List.of("If-None-Match", before));
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.header("ETag")).isNotEqualTo(before);
    } finally {
      sluice.post("/api/v1/flags/limits/default", "{\"variant\": \"big\"}");
    }
  }

  @Test
  void evaluationsAreRecordedForStalenessChecks() throws Exception {
    evaluate("limits", "{}", client);
    assertThat(sluice.daemon.flags().lastEvaluated()).containsKey("limits");
    evaluate("nope", "{}", client);
    assertThat(sluice.daemon.flags().lastEvaluated()).doesNotContainKey("nope");
  }

  @Test
  void theConfigurationSaysWhatIsSupported() throws Exception {
    JsonNode c = sluice.send("GET", "/ofrep/v1/configuration", client, null).json();
    assertThat(c.path("name").asText()).isEqualTo("Sluice");
    assertThat(c.at("/capabilities/flagEvaluation/supportedTypes")).hasSize(5);
  }
}
