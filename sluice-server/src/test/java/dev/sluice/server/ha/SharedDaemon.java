package dev.sluice.server.ha;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * A daemon of these tests, in this JVM, on a store given by URL: the spec releases {@link EchoApp}
 * replicas with a canary of two timed steps.
 */
final class SharedDaemon implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  final Daemon daemon;
  final String token;

  private SharedDaemon(Daemon daemon, String token) {
    this.daemon = daemon;
    this.token = token;
  }

  /** Writes the spec into {@code dir} (once) and returns its path. */
  static Path spec(Path dir) throws IOException, URISyntaxException {
    Path spec = dir.resolve("sluice.yaml");
    if (Files.exists(spec)) {
      return spec;
    }
    String java = Json.write(ProcessHandle.current().info().command().orElse("java"));
    String classes =
        Json.write(
            Path.of(EchoApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString());
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [%s, "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", %s, "dev.sluice.server.ha.EchoApp", "${version}"]
                replicas: 2
                stopGrace: 2s
            health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 3}
            strategy:
              canary:
                scaleDownDelay: 1s
                steps: [{setWeight: 30}, {pause: {duration: 3s}}, {setWeight: 60}, {pause: {duration: 3s}}]
        """
            .formatted(java, classes));
    return spec;
  }

  /**
   * Starts a daemon with its own state directory {@code dir/name} on the store at {@code store}.
   * Closing it stops the replicas it runs (so a test leaves no process behind).
   *
   * @param adminFrom a state directory whose admin token this daemon should use (processes that
   *     share a store share its tokens); null for a fresh one
   */
  static SharedDaemon start(Path dir, String name, String store, Duration ttl, Path adminFrom)
      throws Exception {
    Path state = dir.resolve(name);
    Files.createDirectories(state);
    if (adminFrom != null) {
      Files.copy(adminFrom.resolve(AdminToken.FILE), state.resolve(AdminToken.FILE));
    }
    Daemon d =
        Daemon.start(
            Daemon.Options.of(spec(dir), state)
                .withApiListen(new HostPort("127.0.0.1", 0))
                .withSharing(
                    SharingOptions.NONE
                        .withStore(store)
                        .withLeaseTtl(ttl)
                        .withStopReplicasOnClose(true)));
    return new SharedDaemon(d, AdminToken.read(state));
  }

  /** Starts a daemon with its own SQLite store in {@code state}, as {@code sluice up} does. */
  static SharedDaemon startAlone(Path dir, Path state) throws Exception {
    Daemon d =
        Daemon.start(
            Daemon.Options.of(spec(dir), state).withApiListen(new HostPort("127.0.0.1", 0)));
    return new SharedDaemon(d, AdminToken.read(state));
  }

  Path stateDir() {
    return daemon.stateDir();
  }

  /** Where the app's users connect on this process. */
  URI listener() {
    return URI.create(
        "http://127.0.0.1:" + daemon.controller().view("shop").listen().getPort() + "/");
  }

  record Answer(int status, JsonNode body) {}

  Answer call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30));
    b =
        method.equals("GET")
            ? b.GET()
            : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        r.statusCode(),
        r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body()));
  }

  JsonNode app() throws Exception {
    return call("GET", "/api/v1/apps/shop", "").body();
  }

  Answer deploy(String version) throws Exception {
    return call("POST", "/api/v1/apps/shop/deploy", "{\"version\":\"" + version + "\"}");
  }

  Answer healthz() throws Exception {
    return call("GET", "/healthz", "");
  }

  @Override
  public void close() {
    daemon.close();
  }
}
