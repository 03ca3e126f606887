package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyBasicsTest {

  private TestUpstream upstream;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    upstream = TestUpstream.start("v1-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
    listener.update(single("v1", upstream));
  }

  @AfterEach
  void stop() {
    router.close();
    upstream.close();
  }

  private InetSocketAddress address() {
    return listener.address();
  }

  @Test
  void forwardsStatusHeadersAndBody() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r =
          http.send("GET /status/201 HTTP/1.1\r\nHost: shop.example\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.header("x-upstream")).isEqualTo("v1-0");
      assertThat(r.body()).isEqualTo("v1-0");
      RawHttp.Response ok =
          http.send("GET /hello?x=1 HTTP/1.1\r\nHost: shop.example\r\n\r\n").read();
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).contains("GET /hello?x=1 HTTP/1.1");
    }
  }

  @Test
  void removesHopByHopHeadersBothWays() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r =
          http.send(
                  "GET /echo HTTP/1.1\r\nHost: shop\r\nConnection: keep-alive, X-Private\r\n"
                      + "X-Private: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\n"
                      + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
                      + "Upgrade: websocket\r\nX-Kept: yes\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body())
          .contains("x-kept: yes")
          .doesNotContain("x-private")
          .doesNotContain("keep-alive: ")
          .doesNotContain("proxy-")
          .doesNotContain("\nte: ")
          .doesNotContain("trailer")
          .doesNotContain("upgrade");
      // The test upstream answers "Connection: x-hop", "X-Hop" and "Keep-Alive".
      assertThat(r.headers()).doesNotContainKeys("x-hop", "keep-alive", "connection");
      assertThat(r.header("x-upstream")).isEqualTo("v1-0");
    }
  }

  @Test
  void setsForwardedHeadersAndAppendsToForwardedFor() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r =
          http.send("GET /echo HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n").read();
      assertThat(r.body())
          .contains("x-forwarded-for: 127.0.0.1\n")
          .contains("x-forwarded-proto: http\n")
          .contains("x-forwarded-host: shop.example:8080\n")
          .contains("host: shop.example:8080\n");
      RawHttp.Response chained =
          http.send(
                  "GET /echo HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 203.0.113.7\r\n"
                      + "X-Forwarded-Proto: https\r\n\r\n")
              .read();
      assertThat(chained.body())
          .contains("x-forwarded-for: 203.0.113.7, 127.0.0.1\n")
          .contains("x-forwarded-proto: http\n");
    }
  }

  @Test
  void reusesUpstreamConnectionsAcrossKeepAliveRequests() throws Exception {
    try (RawHttp a = new RawHttp(address())) {
      for (int i = 0; i < 20; i++) {
        assertThat(a.send("GET /echo HTTP/1.1\r\nHost: shop\r\n\r\n").read().status())
            .isEqualTo(200);
      }
    }
    // A second client connection on the same event loop may reuse the same upstream connection.
    try (RawHttp b = new RawHttp(address())) {
      for (int i = 0; i < 20; i++) {
        assertThat(b.send("GET /echo HTTP/1.1\r\nHost: shop\r\n\r\n").read().status())
            .isEqualTo(200);
      }
    }
    assertThat(upstream.requests.get()).isEqualTo(40);
    assertThat(upstream.connectionsOpened.get()).isBetween(1, 2);
  }

  @Test
  void answersHttp10ClientsAndClosesUnlessAskedToKeepAlive() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r = http.send("GET /echo HTTP/1.0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(http.closedByPeer()).isTrue();
    }
    try (RawHttp http = new RawHttp(address())) {
      http.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawHttp.Response r = http.read();
      assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
      // Chunked upstream bodies reach HTTP/1.0 clients delimited by the connection's close.
      RawHttp.Response big =
          http.send("GET /big?bytes=100000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      assertThat(big.header("transfer-encoding")).isNull();
      assertThat(big.body()).hasSize(100000);
    }
  }

  @Test
  void closesTheClientConnectionWhenAsked() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r =
          http.send("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(http.closedByPeer()).isTrue();
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      http.send(
          "GET /slow?ms=300 HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n"
              + "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
              + "HEAD /echo HTTP/1.1\r\nHost: a\r\n\r\n"
              + "GET /echo?last HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(http.read().status()).isEqualTo(200);
      assertThat(http.read().status()).isEqualTo(202);
      assertThat(http.read().body()).isEqualTo("5");
      RawHttp.Response head = http.read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(http.read().body()).contains("GET /echo?last");
    }
  }

  @Test
  void streamsAChunkedRequestBody() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r =
          http.send(
                  "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
              .read();
      assertThat(r.body()).isEqualTo("11");
      assertThat(http.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
    }
  }

  @Test
  void chunksABodyTheUpstreamEndsByClosingAndKeepsTheClientConnection() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      RawHttp.Response r = http.send("GET /unframed HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
      assertThat(r.body()).isEqualTo("v1-0 unframed");
      assertThat(http.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
    }
  }

  @Test
  void aClientLeavingMidRequestLeavesNothingInFlight() throws Exception {
    try (RawHttp http = new RawHttp(address())) {
      http.send("GET /slow?ms=500 HTTP/1.1\r\nHost: a\r\n\r\n");
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> router.inFlight(dev.sluice.router.testing.Fixtures.endpoint(upstream)) == 1);
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> router.inFlight(dev.sluice.router.testing.Fixtures.endpoint(upstream)) == 0);
    StringBuilder prometheus = new StringBuilder();
    router.metrics().writePrometheus(prometheus);
    assertThat(prometheus).contains("sluice_requests_in_flight{app=\"shop\",version=\"v1\"} 0\n");
  }

  @Test
  void runsOnIoUringWhereTheKernelAllowsItAndOnEpollOrNioWhenAskedTo() throws Exception {
    assertThat(router.transport())
        .isEqualTo(
            io.netty.channel.uring.IoUring.isAvailable()
                ? "io_uring"
                : io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
    for (String asked : java.util.List.of("epoll", "nio")) {
      System.setProperty("sluice.router.transport", asked);
      try (Router other = Router.create(RouterOptions.defaults().withEventLoops(1))) {
        String expected =
            asked.equals("epoll") && !io.netty.channel.epoll.Epoll.isAvailable() ? "nio" : asked;
        assertThat(other.transport()).isEqualTo(expected);
        Listener l = other.listen(ListenerOptions.of("shop", ANY_PORT));
        l.update(single("v1", upstream));
        try (RawHttp http = new RawHttp(l.address())) {
          assertThat(http.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
              .isEqualTo(200);
        }
      } finally {
        System.clearProperty("sluice.router.transport");
      }
    }
  }

  @Test
  void closesIdleClientConnectionsAfterTheIdleTimeout() throws Exception {
    Listener quick =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT).withIdleTimeout(java.time.Duration.ofMillis(300)));
    quick.update(single("v1", upstream));
    try (RawHttp http = new RawHttp(quick.address())) {
      assertThat(http.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
      long t0 = System.nanoTime();
      assertThat(http.closedByPeer()).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(200);
    }
  }
}
