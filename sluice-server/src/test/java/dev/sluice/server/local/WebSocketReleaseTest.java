package dev.sluice.server.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WebSocket across a blue-green release of a real daemon: the spec's {@code timeouts.drain}
 * reaches the router, so the socket opened on v1 stays on v1 after the switch and is closed with
 * 1001 once the drain timeout has passed, while new sockets reach v2.
 */
class WebSocketReleaseTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String DRAIN = "3s";
  private static final String SCALE_DOWN = "0s";

  @TempDir Path dir;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final HttpClient http = HttpClient.newHttpClient();
  private Daemon daemon;
  private String admin;

  private void startDaemon(String runtime) throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: chat
            listen: 127.0.0.1:0
            runtime:
        %s
            health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1}
            timeouts: {drain: %s}
            strategy:
              blueGreen: {scaleDownDelay: %s}
        """
            .formatted(runtime.indent(6).stripTrailing(), DRAIN, SCALE_DOWN));
    daemon =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", 0)));
    admin = AdminToken.read(dir.resolve("state"));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    http.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private int echoServer(String version) throws InterruptedException {
    return ((InetSocketAddress) WsEchoServer.start(group, 0, version).localAddress()).getPort();
  }

  private JsonNode status() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(daemon.apiUrl() + "/api/v1/apps/chat"))
                .header("Authorization", "Bearer " + admin)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(r.body());
  }

  private void deploy(String version) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(daemon.apiUrl() + "/api/v1/apps/chat/deploy"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofString("{\"version\": \"" + version + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    await()
        .atMost(WAIT)
        .until(() -> status().path("stable").path("version").asText().equals(version));
  }

  /** A JDK WebSocket whose text messages and close status are kept. */
  private static final class Socket implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket ws;

    static Socket open(HttpClient http, String listen) throws Exception {
      Socket s = new Socket();
      s.ws =
          http.newWebSocketBuilder()
              .buildAsync(URI.create("ws://" + listen + "/ws"), s)
              .get(10, TimeUnit.SECONDS);
      return s;
    }

    String echo(String text) throws Exception {
      ws.sendText(text, true).get(10, TimeUnit.SECONDS);
      String got = texts.poll(10, TimeUnit.SECONDS);
      assertThat(got).as("an answer to " + text).isNotNull();
      return got;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      texts.add(data.toString());
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(-1);
    }
  }

  @Test
  void aSocketStaysOnV1AcrossTheSwitchUntilTheSpecsDrainTimeoutClosesItWith1001() throws Exception {
    startDaemon(
        """
        static:
          versions:
            v1: [http://127.0.0.1:%d]
            v2: [http://127.0.0.1:%d]
        """
            .formatted(echoServer("v1"), echoServer("v2")));
    acrossARelease();
  }

  @Test
  void anOldVersionsProcessRunsUntilItsSocketsHaveDrained() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    startDaemon(
        """
        process:
          command: [%s, "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", %s, %s, "${version}"]
          stopGrace: 1s
        """
            .formatted(
                Json.write(java),
                Json.write(System.getProperty("java.class.path")),
                Json.write(WsEchoServer.class.getName())));
    // With scaleDownDelay 0s, v1 leaves at the switch and would be stopped at once if its open
    // socket did not count: the socket would then break instead of closing with 1001.
    acrossARelease();
  }

  private void acrossARelease() throws Exception {
    deploy("v1");
    String listen = status().path("listen").asText();
    Socket old = Socket.open(http, listen);
    assertThat(old.echo("a")).isEqualTo("v1:a");

    deploy("v2");
    long switched = System.nanoTime();
    assertThat(old.echo("b")).isEqualTo("v1:b");
    Socket fresh = Socket.open(http, listen);
    assertThat(fresh.echo("c")).isEqualTo("v2:c");
    // Half the drain timeout later the old socket is still open, and still on v1.
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> !old.closed.isDone());
    assertThat(old.echo("e")).isEqualTo("v1:e");

    assertThat(old.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1001);
    // Not before the spec's drain timeout (the switch was seen a little after it happened).
    assertThat(Duration.ofNanos(System.nanoTime() - switched))
        .isGreaterThan(Duration.ofMillis(2000));
    assertThat(fresh.echo("d")).isEqualTo("v2:d");
    assertThat(fresh.closed).isNotDone();
  }
}
