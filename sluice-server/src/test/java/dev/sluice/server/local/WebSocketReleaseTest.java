package dev.sluice.server.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WebSocket across a blue-green release of a real daemon: the spec's {@code timeouts.drain}
 * reaches the router, so the socket opened on v1 stays on v1 after the switch and is closed with
 * 1001 once the drain timeout has passed, while new sockets reach v2.
 */
class WebSocketReleaseTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final HttpClient http = HttpClient.newHttpClient();
  private Daemon daemon;
  private String admin;

  @BeforeEach
  void start() throws Exception {
    int v1 = echoServer("v1");
    int v2 = echoServer("v2");
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: chat
            listen: 127.0.0.1:0
            runtime:
              static:
                versions:
                  v1: [http://127.0.0.1:%d]
                  v2: [http://127.0.0.1:%d]
            health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1}
            timeouts: {drain: 1500ms}
            strategy:
              blueGreen: {scaleDownDelay: 1m}
        """
            .formatted(v1, v2));
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

  /** A WebSocket server answering "VERSION:text" at /ws, and 200 at /health. */
  private int echoServer(String version) throws InterruptedException {
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(65536),
                            new WebSocketServerProtocolHandler("/ws"),
                            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                ctx.writeAndFlush(new TextWebSocketFrame(version + ":" + f.text()));
                              }
                            },
                            new SimpleChannelInboundHandler<FullHttpRequest>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, FullHttpRequest r) {
                                DefaultFullHttpResponse ok =
                                    new DefaultFullHttpResponse(
                                        HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK,
                                        Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                                ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
                                ctx.writeAndFlush(ok).addListener(ChannelFutureListener.CLOSE);
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
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
    deploy("v1");
    String listen = status().path("listen").asText();
    Socket old = Socket.open(http, listen);
    assertThat(old.echo("a")).isEqualTo("v1:a");

    deploy("v2");
    long switched = System.nanoTime();
    assertThat(old.echo("b")).isEqualTo("v1:b");
    Socket fresh = Socket.open(http, listen);
    assertThat(fresh.echo("c")).isEqualTo("v2:c");

    assertThat(old.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1001);
    // Not before the spec's drain timeout (the switch was seen a little after it happened).
    assertThat(Duration.ofNanos(System.nanoTime() - switched))
        .isGreaterThan(Duration.ofMillis(1000));
    assertThat(fresh.echo("d")).isEqualTo("v2:d");
    assertThat(fresh.closed).isNotDone();
  }
}
