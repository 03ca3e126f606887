package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.router.testing.H2Client;
import dev.sluice.router.testing.H2cUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC-shaped exchanges (content-type application/grpc, length-prefixed messages, grpc-status in
 * trailers) from an HTTP/2 client through the router to h2c replicas, as the gRPC over HTTP/2
 * protocol (grpc/grpc PROTOCOL-HTTP2.md) lays them out.
 */
class GrpcPassThroughTest {

  private H2cUpstream v1;
  private H2cUpstream v2;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    v1 = H2cUpstream.start("v1-0");
    v2 = H2cUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener =
        router.listen(
            ListenerOptions.of("echo", ANY_PORT)
                .withHttp2(true)
                .withUpstreamProtocol(UpstreamProtocol.HTTP2));
    listener.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(new Endpoint("v1-0", "127.0.0.1", v1.port())))
            .version("v2", 0, List.of(new Endpoint("v2-0", "127.0.0.1", v2.port())))
            .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
            .build());
  }

  @AfterEach
  void stop() {
    router.close();
    v1.close();
    v2.close();
  }

  private static Http2Headers call(String method, String... fields) {
    Http2Headers h =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .path(method)
            .authority("echo.test")
            .add("content-type", "application/grpc")
            .add("te", "trailers");
    for (int i = 0; i < fields.length; i += 2) {
      h.add(fields[i], fields[i + 1]);
    }
    return h;
  }

  private static byte[] messages(String... texts) {
    ByteBuf b = Unpooled.buffer();
    for (String t : texts) {
      byte[] m = t.getBytes(StandardCharsets.UTF_8);
      b.writeByte(0).writeInt(m.length).writeBytes(m);
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  @Test
  void unaryCallKeepsMessagesAndTrailers() throws Exception {
    try (H2Client c = new H2Client(listener.address())) {
      H2Client.Response r = c.send(call("/test.Echo/Say"), messages("hello", "world"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("content-type").toString()).isEqualTo("application/grpc");
      assertThat(r.headers().get("x-te-seen").toString()).isEqualTo("trailers");
      assertThat(r.body()).isEqualTo(messages("echo:hello", "echo:world"));
      assertThat(r.trailers()).isNotNull();
      assertThat(r.trailers().get("grpc-status").toString()).isEqualTo("0");
      assertThat(r.trailers().get("grpc-message").toString()).isEqualTo("ok");
    }
    assertThat(v1.streams.get()).isEqualTo(1);
  }

  @Test
  void trailersOnlyErrorArrivesInTheHead() throws Exception {
    try (H2Client c = new H2Client(listener.address())) {
      H2Client.Response r = c.send(call("/test.Echo/Missing"), messages("x"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("grpc-status").toString()).isEqualTo("5");
      assertThat(r.headers().get("grpc-message").toString()).isEqualTo("no such method");
      assertThat(r.body()).isEmpty();
    }
  }

  @Test
  void callsShareUpstreamConnectionsAndFollowRulesAndMetrics() throws Exception {
    try (H2Client c = new H2Client(listener.address())) {
      for (int i = 0; i < 20; i++) {
        H2Client.Response r = c.send(call("/test.Echo/Say"), messages("n" + i));
        assertThat(r.trailers().get("grpc-status").toString()).isEqualTo("0");
      }
      H2Client.Response canary = c.send(call("/test.Echo/Say", "x-canary", "true"), messages("c"));
      assertThat(canary.body()).isEqualTo(messages("echo:c"));
    }
    assertThat(v1.streams.get()).isEqualTo(20);
    assertThat(v2.streams.get()).isEqualTo(1);
    // Streams multiplex: at most one connection per event loop to a replica.
    assertThat(v1.connections.get()).isBetween(1, 2);
    assertThat(router.metrics().window("echo", "v1", Duration.ofSeconds(30)).requests())
        .isEqualTo(20);
    assertThat(router.metrics().window("echo", "v2", Duration.ofSeconds(30)).requests())
        .isEqualTo(1);
  }

  @Test
  void plainHttpRequestsReachAnH2cReplicaToo() throws Exception {
    try (H2Client c = new H2Client(listener.address())) {
      H2Client.Response r = c.send(H2Client.get("/hello"), new byte[0]);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).startsWith("v1-0\nGET /hello\n").contains(":authority: shop.test");
    }
    try (var client = dev.sluice.router.testing.Fixtures.client()) {
      var r = dev.sluice.router.testing.Fixtures.get(client, listener.address(), "/from-h1");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("v1-0\nGET /from-h1\n").contains("x-forwarded-proto: http");
    }
  }

  @Test
  void anUnreachableH2cReplicaAnswers502() throws Exception {
    v1.close();
    try (H2Client c = new H2Client(listener.address())) {
      H2Client.Response r = c.send(H2Client.get("/x"), new byte[0]);
      assertThat(r.status()).isEqualTo(502);
    }
  }

  @Test
  void healthChecksOfAnH2cReplicaSpeakH2c() {
    Endpoint h2 = new Endpoint("v1-0", "127.0.0.1", v1.port());
    Endpoint h1 = new Endpoint("v1-0-h1", "127.0.0.1", v1.port());
    HealthCheckOptions every100ms =
        new HealthCheckOptions("/health", Duration.ofMillis(100), Duration.ofSeconds(1), 1, 1);
    router.health().watch(h2, every100ms.withH2c(true));
    router.health().watch(h1, every100ms);
    await().atMost(Duration.ofSeconds(10)).until(() -> router.health().isHealthy(h2));
    // The same replica checked over HTTP/1.1 never passes: it only speaks h2c.
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !router.health().isHealthy(h1));
    assertThat(v1.streams.get()).isGreaterThanOrEqualTo(1);
  }
}
