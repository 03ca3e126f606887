package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.H2Client;
import dev.sluice.router.testing.TestCertificates;
import dev.sluice.router.testing.TestUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 from clients: over TLS chosen by ALPN (the JDK client) and in clear text with prior
 * knowledge (a Netty client), through the same routing, rules and metrics as HTTP/1.1.
 */
class Http2Test {

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private TestUpstream v1;
  private TestUpstream v2;
  private Router router;
  private RoutingTable table;

  @BeforeEach
  void start() {
    v1 = TestUpstream.start("v1-0");
    v2 = TestUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    table =
        RoutingTable.builder()
            .version("v1", 100, List.of(endpoint(v1)))
            .version("v2", 0, List.of(endpoint(v2)))
            .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
            .build();
  }

  @AfterEach
  void stop() {
    router.close();
    v1.close();
    v2.close();
  }

  @Test
  void jdkClientSpeaksHttp2OverTlsChosenByAlpnWithRulesWeightsAndMetrics() throws Exception {
    TestCertificates.Pair pair = TestCertificates.shared("first").get(0);
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT).withTls(pair.cert(), pair.key()).withHttp2(true));
    l.update(table);
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(TestCertificates.trustAll())
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      URI uri = URI.create("https://127.0.0.1:" + l.address().getPort() + "/items?x=1");
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
            .startsWith("v1-0\n")
            .contains("GET /items?x=1 HTTP/1.1")
            .containsIgnoringCase("x-forwarded-proto: https");
      }
      HttpResponse<String> canary =
          client.send(
              HttpRequest.newBuilder(uri)
                  .header("x-canary", "true")
                  .POST(HttpRequest.BodyPublishers.ofString("hello"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(canary.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(canary.body()).startsWith("v2-0\n").contains("POST /items?x=1");
    }
    assertThat(router.metrics().window("shop", "v1", Duration.ofSeconds(30)).requests())
        .isEqualTo(5);
    assertThat(router.metrics().window("shop", "v2", Duration.ofSeconds(30)).requests())
        .isEqualTo(1);
  }

  @Test
  void tlsClientWithoutAlpnGetsHttp11() throws Exception {
    TestCertificates.Pair pair = TestCertificates.shared("first").get(0);
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT).withTls(pair.cert(), pair.key()).withHttp2(true));
    l.update(table);
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(TestCertificates.trustAll())
            .build()) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("https://127.0.0.1:" + l.address().getPort() + "/one"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(r.body()).startsWith("v1-0\n");
    }
  }

  @Test
  void priorKnowledgeClientIsRoutedByRulesAndCounted() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    l.update(table);
    try (H2Client c = new H2Client(l.address())) {
      H2Client.Response plain = c.send(H2Client.get("/a"), new byte[0]);
      assertThat(plain.status()).isEqualTo(200);
      assertThat(plain.text()).startsWith("v1-0\n").contains("GET /a HTTP/1.1");
      H2Client.Response canary = c.send(H2Client.get("/b", "x-canary", "true"), new byte[0]);
      assertThat(canary.text()).startsWith("v2-0\n").containsIgnoringCase("host: shop.test");
      H2Client.Response upload =
          c.send(
              H2Client.get("/upload").method("POST"),
              "0123456789".getBytes(StandardCharsets.UTF_8));
      assertThat(upload.status()).isEqualTo(200);
      assertThat(upload.text()).contains("10");
      H2Client.Response missing = c.send(H2Client.get("/status/404"), new byte[0]);
      assertThat(missing.status()).isEqualTo(404);
    }
    assertThat(router.metrics().window("shop", "v1", Duration.ofSeconds(30)).requests())
        .isEqualTo(3);
    assertThat(router.metrics().window("shop", "v1", Duration.ofSeconds(30)).counts().clientError())
        .isEqualTo(1);
    assertThat(router.metrics().window("shop", "v2", Duration.ofSeconds(30)).requests())
        .isEqualTo(1);
  }

  @Test
  void clearTextListenerWithHttp2StillServesHttp11() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    l.update(table);
    try (HttpClient client = dev.sluice.router.testing.Fixtures.client()) {
      HttpResponse<String> r = dev.sluice.router.testing.Fixtures.get(client, l.address(), "/x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("v1-0\n");
    }
  }

  @Test
  void anUpgradeToH2cIsNotTakenByTheRouterItself() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    l.update(table);
    try (Socket s = new Socket()) {
      s.connect(l.address(), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /up HTTP/1.1\r\nHost: shop\r\nConnection: Upgrade, HTTP2-Settings,"
                      + " close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // The router does not switch to HTTP/2 itself; like any Upgrade, the request goes to the
      // replica, which here ignores it and answers over HTTP/1.1.
      assertThat(response).startsWith("HTTP/1.1 200").contains("GET /up HTTP/1.1");
      assertThat(response).doesNotContain("101 Switching Protocols");
    }
  }

  @Test
  void aHeadRequestOverHttp2GetsTheHeadWithoutABody() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    l.update(table);
    try (H2Client c = new H2Client(l.address())) {
      H2Client.Response head = c.send(H2Client.get("/h").method("HEAD"), new byte[0]);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      assertThat(Integer.parseInt(head.headers().get("content-length").toString())).isPositive();
      // The connection goes on after a bodiless answer.
      assertThat(c.send(H2Client.get("/next"), new byte[0]).text()).startsWith("v1-0\n");
    }
  }

  @Test
  void aMalformedFrameClosesOnlyItsConnection() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    l.update(table);
    try (H2Client healthy = new H2Client(l.address());
        Socket bad = new Socket()) {
      assertThat(healthy.send(H2Client.get("/before"), new byte[0]).status()).isEqualTo(200);
      bad.connect(l.address(), 5000);
      bad.setSoTimeout(10_000);
      OutputStream out = bad.getOutputStream();
      out.write(PREFACE);
      // An empty SETTINGS, then a DATA frame on stream 0: PROTOCOL_ERROR (RFC 9113 6.1).
      out.write(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});
      out.write(new byte[] {0, 0, 2, 0x0, 0, 0, 0, 0, 0, 'h', 'i'});
      out.flush();
      InputStream in = bad.getInputStream();
      byte[] all = in.readAllBytes(); // returns at the router's close
      assertThat(goAwayCode(all)).isEqualTo(0x1); // PROTOCOL_ERROR
      assertThat(healthy.send(H2Client.get("/after"), new byte[0]).status()).isEqualTo(200);
    }
  }

  @Test
  void advertisesItsStreamAndHeaderLimits() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withHttp2(true));
    try (Socket s = new Socket()) {
      s.connect(l.address(), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(PREFACE);
      s.getOutputStream().write(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});
      s.getOutputStream().flush();
      byte[] head = s.getInputStream().readNBytes(9);
      assertThat(head[3]).isEqualTo((byte) 0x4); // the server's SETTINGS come first
      int len = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
      byte[] payload = s.getInputStream().readNBytes(len);
      assertThat(setting(payload, 0x3)).isEqualTo(128); // MAX_CONCURRENT_STREAMS
      assertThat(setting(payload, 0x6)).isEqualTo(32768); // MAX_HEADER_LIST_SIZE
    }
  }

  private static long setting(byte[] payload, int id) {
    for (int i = 0; i + 6 <= payload.length; i += 6) {
      int k = (payload[i] & 0xff) << 8 | payload[i + 1] & 0xff;
      if (k == id) {
        return (payload[i + 2] & 0xffL) << 24
            | (payload[i + 3] & 0xff) << 16
            | (payload[i + 4] & 0xff) << 8
            | payload[i + 5] & 0xff;
      }
    }
    return -1;
  }

  /** Returns the error code of the first GOAWAY frame in the bytes, or -1. */
  private static int goAwayCode(byte[] b) {
    int i = 0;
    while (i + 9 <= b.length) {
      int len = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | b[i + 2] & 0xff;
      if (b[i + 3] == 0x7 && i + 9 + 8 <= b.length) {
        int p = i + 9 + 4;
        return (b[p] & 0xff) << 24
            | (b[p + 1] & 0xff) << 16
            | (b[p + 2] & 0xff) << 8
            | b[p + 3] & 0xff;
      }
      i += 9 + len;
    }
    return -1;
  }
}
