package dev.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the JSON bodies of the control API through a real daemon: the first byte of an input picks
 * the call (releases, validate, tokens, flag edits, flag set import, OFREP evaluation, dashboard
 * login), the rest is the body, sent as it is.
 *
 * <p>No body may make the server fail (a 5xx) or answer an error without a message: every refusal
 * is a 4xx whose JSON says what was wrong ({@code error}, or OFREP's {@code errorCode} and {@code
 * errorDetails}) in words, not an exception's name. Release calls aim at an app that does not
 * exist, so a body that is read correctly gets 404 and starts nothing.
 */
class ApiBodiesFuzzTest {

  /** A call whose body is fuzzed: method and path. */
  private record Call(String method, String path) {}

  private static final List<Call> CALLS =
      List.of(
          new Call("POST", "/api/v1/apps/ghost/deploy"),
          new Call("POST", "/api/v1/apps/ghost/promote"),
          new Call("POST", "/api/v1/apps/ghost/abort"),
          new Call("POST", "/api/v1/apps/ghost/rollback"),
          new Call("POST", "/api/v1/validate"),
          new Call("POST", "/api/v1/tokens"),
          new Call("POST", "/api/v1/flags/fuzzed"),
          new Call("DELETE", "/api/v1/flags/ghost"),
          new Call("POST", "/api/v1/flags/fuzzed/enable"),
          new Call("POST", "/api/v1/flags/fuzzed/disable"),
          new Call("POST", "/api/v1/flags/fuzzed/default"),
          new Call("POST", "/api/v1/flags/fuzzed/weights"),
          new Call("POST", "/api/v1/flagset?merge=true"),
          new Call("POST", "/api/v1/flagset/evaluated"),
          new Call("POST", "/ofrep/v1/evaluate/flags/fuzzed"),
          new Call("POST", "/ofrep/v1/evaluate/flags"),
          new Call("POST", "/ui/login"));

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private static Path dir;
  private static Daemon daemon;
  private static String admin;

  @BeforeAll
  static void startDaemon() throws Exception {
    dir = Files.createTempDirectory("sluice-fuzz-api");
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
    admin = AdminToken.read(dir.resolve("state"));
    HttpResponse<String> r =
        send(
            new Call("POST", "/api/v1/flags/fuzzed"),
            "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
                + " \"defaultVariant\": \"off\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @AfterAll
  static void stopDaemon() throws IOException {
    if (daemon != null) {
      daemon.close();
    }
  }

  @FuzzTest(maxDuration = "10s")
  @Timeout(30)
  @DictionaryEntries({
    "{\"version\": \"v2\"}",
    "\"force\": true",
    "\"full\": true",
    "\"to\": ",
    "\"name\": ",
    "\"role\": \"viewer\"",
    "\"environment\": ",
    "\"variant\": ",
    "\"weights\": {",
    "\"keys\": [",
    "\"context\": {",
    "\"targetingKey\": ",
    "\"token\": ",
    "\"flags\": {",
    "\"state\": \"ENABLED\"",
    "\"variants\": {",
    "\"defaultVariant\": ",
    "\"targeting\": {",
    "apps:",
  })
  void everyBodyIsAnsweredOrRefusedWithAMessage(byte[] input) throws Exception {
    allowLoopbackOnly();
    if (input.length == 0) {
      return;
    }
    Call call = CALLS.get(Byte.toUnsignedInt(input[0]) % CALLS.size());
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    HttpResponse<String> r = send(call, body);
    int status = r.statusCode();
    assertThat(status)
        .as("%s %s answered %s: %s", call.method(), call.path(), status, r.body())
        .isBetween(200, 499);
    if (status >= 400) {
      JsonNode json = Json.MAPPER.readTree(r.body());
      String message =
          json.has("error") ? json.path("error").asText() : json.path("errorDetails").asText();
      assertThat(message)
          .as("%s %s answered %s: %s", call.method(), call.path(), status, r.body())
          .isNotBlank()
          .doesNotContain("Exception");
    }
  }

  /**
   * This test talks to its daemon on loopback; Jazzer's SSRF detector stays on for every other
   * address.
   */
  private static void allowLoopbackOnly() {
    BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("localhost") || host.startsWith("127."));
  }

  private static HttpResponse<String> send(Call call, String body) throws Exception {
    return send(call, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> send(Call call, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + call.path()))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + admin)
            .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
