package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import dev.sluice.server.auth.Role;
import java.io.IOException;
import java.net.URI;
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
 * A real Sluice daemon for tests: a spec with one app that is never deployed (so no processes run),
 * the control API on a free loopback port, a real SQLite store in {@code dir}.
 */
final class RunningDaemon implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  final Daemon daemon;
  final String admin;

  private RunningDaemon(Daemon daemon, String admin) {
    this.daemon = daemon;
    this.admin = admin;
  }

  /** A daemon whose spec may name a flag file ({@code flagsFile} null for none). */
  static RunningDaemon start(Path dir, @Nullable String flagsFile) throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime: {process: {command: [app, "${version}"]}}
        """
            + (flagsFile == null ? "" : "flags: {file: " + flagsFile + "}\n"));
    Daemon d =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new dev.sluice.core.spec.HostPort("127.0.0.1", 0)));
    return new RunningDaemon(d, AdminToken.read(dir.resolve("state")));
  }

  /** Creates a token through the API and returns its text. */
  String token(String name, Role role, @Nullable String environment) throws Exception {
    var body = Json.MAPPER.createObjectNode().put("name", name).put("role", role.label());
    if (environment != null) {
      body.put("environment", environment);
    }
    Response r = send("POST", "/api/v1/tokens", admin, Json.write(body));
    if (r.status() != 201) {
      throw new IllegalStateException("token create: " + r);
    }
    return r.json().path("token").asText();
  }

  /** What a call answered. */
  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(body);
    }

    @Nullable String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  Response send(String method, String path, @Nullable String token, @Nullable String body)
      throws Exception {
    return send(method, path, token, body, List.of());
  }

  /** A call with extra headers given as name, value, name, value... */
  Response send(
      String method,
      String path,
      @Nullable String token,
      @Nullable String body,
      List<String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(daemon.apiUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    List<String> h = new ArrayList<>(headers);
    for (int i = 0; i < h.size(); i += 2) {
      b.header(h.get(i), h.get(i + 1));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r);
  }

  Response get(String path) throws Exception {
    return send("GET", path, admin, null);
  }

  Response post(String path, String body) throws Exception {
    return send("POST", path, admin, body);
  }

  @Override
  public void close() {
    daemon.close();
  }
}
