package dev.sluice.openfeature;

import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Sluice daemon for the provider's tests, on a chosen loopback port so that it can be
 * stopped and started again where the provider expects it.
 */
final class SluiceServer implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  final Daemon daemon;
  final String admin;

  private SluiceServer(Daemon daemon, String admin) {
    this.daemon = daemon;
    this.admin = admin;
  }

  /** Starts (or restarts, with the same {@code dir}) a daemon; port 0 picks one. */
  static SluiceServer start(Path dir, int port) throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime: {process: {command: [app, "${version}"]}}
        """);
    Daemon d =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", port)));
    return new SluiceServer(d, AdminToken.read(dir.resolve("state")));
  }

  String url() {
    return daemon.apiUrl();
  }

  int port() {
    return URI.create(daemon.apiUrl()).getPort();
  }

  /** Calls the API as admin and fails unless it answers 2xx. */
  String call(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .header("Authorization", "Bearer " + admin)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** A new token of role client, optionally bound to a flag environment. */
  String clientToken(String name, String environment) throws Exception {
    var body = Json.MAPPER.createObjectNode().put("name", name).put("role", "client");
    if (environment != null) {
      body.put("environment", environment);
    }
    return Json.MAPPER
        .readTree(call("POST", "/api/v1/tokens", Json.write(body)))
        .path("token")
        .asText();
  }

  @Override
  public void close() {
    daemon.close();
  }
}
