package dev.sluice.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A real daemon for the dashboard's tests: a spec with one app, {@code shop}, whose versions are
 * {@link UpstreamApp} processes (any version name works), released by canary; the control API on a
 * free loopback port; a real SQLite store in the directory given.
 */
final class TestDaemon implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** Canary steps that stop for a person at 40 %, after a timed pause at 20 %. */
  static final String CANARY =
      """
      canary:
        scaleDownDelay: 2s
        analysis:
          interval: 1s
          window: 3s
          minRequests: 5
          metrics:
            - {name: errors, builtin: error_rate, max: 0.05, critical: true}
            - {name: p99, builtin: latency_p99, maxRatioToBaseline: 5, maxIncrease: 200ms}
        steps:
          - setWeight: 20
          - pause: {duration: 3s}
          - setWeight: 40
          - pause: {}
      """;

  final Daemon daemon;
  final String admin;
  private final Path spec;
  private final int replicas;

  private TestDaemon(Daemon daemon, String admin, Path spec, int replicas) {
    this.daemon = daemon;
    this.admin = admin;
    this.spec = spec;
    this.replicas = replicas;
  }

  static TestDaemon start(Path dir, int replicas) throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    writeSpec(spec, replicas, CANARY);
    Daemon d =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", 0)));
    return new TestDaemon(d, AdminToken.read(dir.resolve("state")), spec, replicas);
  }

  /**
   * Rewrites the spec with another strategy (YAML, as {@link #CANARY}); the next deploy reads it.
   */
  void useStrategy(String yaml) throws Exception {
    writeSpec(spec, replicas, yaml);
  }

  private static void writeSpec(Path spec, int replicas, String yaml) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes = classesDir();
    StringBuilder strategy = new StringBuilder();
    for (String line : yaml.split("\n")) {
      strategy.append("      ").append(line).append('\n');
    }
    Files.writeString(
        spec,
        "apps:\n"
            + "  - name: shop\n"
            + "    listen: 127.0.0.1:0\n"
            + "    runtime:\n"
            + "      process:\n"
            + "        command: ["
            + quote(java)
            + ", \"-Xmx48m\", \"-XX:+UseSerialGC\", \"-XX:TieredStopAtLevel=1\", \"-Xshare:auto\","
            + " \"-cp\", "
            + quote(classes)
            + ", \"dev.sluice.server.dashboard.UpstreamApp\", \"${version}\"]\n"
            + "        replicas: "
            + replicas
            + "\n"
            + "        stopGrace: 2s\n"
            + "    health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1,"
            + " unhealthyThreshold: 3}\n"
            + "    strategy:\n"
            + strategy);
  }

  private static String classesDir() throws URISyntaxException {
    return Path.of(UpstreamApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  String url() {
    return daemon.apiUrl();
  }

  /** What a call answered. */
  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(body);
    }

    @Nullable String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    List<String> headers(String name) {
      return raw.headers().allValues(name);
    }
  }

  /** A call with headers given as name, value, name, value... */
  Response send(String method, String path, @Nullable String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    List<String> h = new ArrayList<>(List.of(headers));
    for (int i = 0; i < h.size(); i += 2) {
      b.header(h.get(i), h.get(i + 1));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r);
  }

  /** A call to the control API with the admin token. */
  Response api(String method, String path, @Nullable String body) throws Exception {
    return send(method, path, body, "Authorization", "Bearer " + admin);
  }

  /** Creates a token through the API and returns its text. */
  String token(String name, String role) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode().put("name", name).put("role", role);
    Response r = api("POST", "/api/v1/tokens", Json.write(body));
    if (r.status() != 201) {
      throw new IllegalStateException("token create: " + r.status() + " " + r.body());
    }
    return r.json().path("token").asText();
  }

  /** Starts a release of {@code version}, replacing one in progress. */
  void deploy(String version) throws Exception {
    Response r =
        api(
            "POST",
            "/api/v1/apps/shop/deploy",
            "{\"version\": \"" + version + "\", \"force\": true}");
    if (r.status() != 202) {
      throw new IllegalStateException("deploy " + version + ": " + r.status() + " " + r.body());
    }
  }

  /** The app's status from the API. */
  JsonNode status() throws Exception {
    return api("GET", "/api/v1/apps/shop", null).json();
  }

  /** The app's own address, where users connect. */
  URI shop() throws Exception {
    return URI.create("http://" + status().path("listen").asText() + "/");
  }

  /** Imports a flag set through the API. */
  void importFlags(String json) throws Exception {
    Response r = api("POST", "/api/v1/flagset", json);
    if (r.status() != 200) {
      throw new IllegalStateException("flags import: " + r.status() + " " + r.body());
    }
  }

  @Override
  public void close() {
    daemon.close();
  }
}
