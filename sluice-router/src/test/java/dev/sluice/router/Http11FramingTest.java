package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.ScriptedUpstream;
import dev.sluice.router.testing.ScriptedUpstream.Reply;
import dev.sluice.router.testing.TestUpstream;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The router's own HTTP/1.1 handling end to end: messages split across reads anywhere, pipelined in
 * one read, malformed, and the framing cases of RFC 9112 section 6 (HEAD, 1xx, 204, 304, bodies
 * ended by closing, HTTP/1.0 peers).
 */
class Http11FramingTest {

  private TestUpstream upstream;
  private Router router;
  private Listener listener;
  private ScriptedUpstream scripted;

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
    if (scripted != null) {
      scripted.close();
    }
  }

  /** Puts a scripted upstream behind a new listener and returns that listener. */
  private Listener scripted(Function<ScriptedUpstream.Request, Reply> script) {
    scripted = ScriptedUpstream.start(script);
    Listener l = router.listen(ListenerOptions.of("scripted", ANY_PORT));
    l.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(new Endpoint("s-0", "127.0.0.1", scripted.port())))
            .build());
    return l;
  }

  @Test
  void aRequestHeadThatArrivesAByteAtATimeIsProxied() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response r =
          http.sendInPieces("GET /echo?x=1 HTTP/1.1\r\nHost: shop\r\nX-A: 1\r\n\r\n", 1).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("GET /echo?x=1 HTTP/1.1").contains("x-a: 1\n");
    }
  }

  @Test
  void aChunkedRequestBodySplitAnywhereReachesTheUpstreamWhole() throws Exception {
    String request =
        "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n10\r\n, chunked world!\r\n0\r\nX-Trailer: t\r\n\r\n";
    for (int size : new int[] {1, 2, 3, 7}) {
      try (RawHttp http = new RawHttp(listener.address())) {
        assertThat(http.sendInPieces(request, size).read().body())
            .as("pieces of %d", size)
            .isEqualTo("21");
        // The body's end was found exactly: the connection carries the next request.
        assertThat(http.send("GET /status/202 HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
            .isEqualTo(202);
      }
    }
  }

  @Test
  void pipelinedRequestsWithBodiesInOneWriteAreAnsweredInOrder() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send(
          "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n"
              + "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nwxyz"
              + "GET /status/203 HTTP/1.1\r\nHost: a\r\n\r\n"
              + "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
              + "GET /echo?last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      assertThat(http.read().body()).isEqualTo("3");
      assertThat(http.read().body()).isEqualTo("4");
      assertThat(http.read().status()).isEqualTo(203);
      assertThat(http.read().body()).isEqualTo("0");
      assertThat(http.read().body()).contains("GET /echo?last");
      assertThat(http.closedByPeer()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bare LF | GET / HTTP/1.1\\nHost: a\\n\\n | 400",
        "obs-fold | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n 2\\r\\n\\r\\n | 400",
        "space before colon | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n | 400",
        "length and chunked | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
        "two lengths | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\nhello | 400",
        "invalid length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5x\\r\\n\\r\\nhello | 400",
        "no Host | GET / HTTP/1.1\\r\\n\\r\\n | 400",
        "HTTP/2.0 | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505",
        "gzip coding | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 501",
        "bad chunk size | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n | 400",
      })
  void aMalformedRequestGetsAnErrorAndTheConnectionCloses(String why, String raw, int status)
      throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response r = http.send(raw.replace("\\r", "\r").replace("\\n", "\n")).read();
      assertThat(r.status()).as(why).isEqualTo(status);
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(http.closedByPeer()).isTrue();
    }
    if (!why.equals("bad chunk size")) {
      assertThat(upstream.requests.get()).isZero();
    }
  }

  @Test
  void tooLongRequestLinesAndHeadsGet414And431() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      String target = "/" + "a".repeat(9000);
      assertThat(http.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
          .isEqualTo(414);
    }
    try (RawHttp http = new RawHttp(listener.address())) {
      StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
      for (int i = 0; i < 200; i++) {
        head.append("X-F").append(i).append(": v\r\n");
      }
      assertThat(http.send(head + "\r\n").read().status()).isEqualTo(431);
    }
    assertThat(upstream.requests.get()).isZero();
  }

  @Test
  void expect100ContinueReachesAnHttp11ClientBeforeItSendsTheBody() throws Exception {
    Listener l =
        scripted(
            req ->
                Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .withInterim("HTTP/1.1 100 Continue\r\n\r\n"));
    try (RawHttp http = new RawHttp(l.address())) {
      http.send(
          "PUT /doc HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      // Nothing of the body has been sent: the 100 must come through on its own.
      assertThat(http.read().status()).isEqualTo(100);
      RawHttp.Response r = http.send("hello").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
    ScriptedUpstream.Request seen = scripted.received.poll();
    assertThat(seen.header("expect")).isEqualTo("100-continue");
    assertThat(seen.body()).isEqualTo("hello");
  }

  @Test
  void anHttp10ClientDoesNotGetInterimResponses() throws Exception {
    Listener l =
        scripted(
            req ->
                Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .withInterim("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("POST / HTTP/1.0\r\nContent-Length: 1\r\n\r\nx").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
  }

  @Test
  void responsesToHeadAnd204And304CarryNoBodyAndTheConnectionGoesOn() throws Exception {
    Listener l =
        scripted(
            req ->
                switch (req.requestLine()) {
                  case "HEAD /doc HTTP/1.1" ->
                      Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                  case "HEAD /chunked HTTP/1.1" ->
                      Reply.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                  case "DELETE /doc HTTP/1.1" -> Reply.of("HTTP/1.1 204 No Content\r\n\r\n");
                  case "GET /cached HTTP/1.1" ->
                      Reply.of("HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n");
                  default -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast");
                });
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response head = http.send("HEAD /doc HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo("1000");
      RawHttp.Response chunkedHead =
          http.send("HEAD /chunked HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
      assertThat(chunkedHead.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(http.send("DELETE /doc HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
          .isEqualTo(204);
      RawHttp.Response notModified = http.send("GET /cached HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(notModified.status()).isEqualTo(304);
      assertThat(http.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().body())
          .isEqualTo("last");
    }
    // Every answer ended where it should, so one upstream connection carried all five.
    assertThat(scripted.connectionsOpened.get()).isEqualTo(1);
  }

  @Test
  void aBodyEndedByClosingIsChunkedForHttp11AndPassedAsItIsToHttp10() throws Exception {
    Listener l = scripted(req -> Reply.closing("HTTP/1.1 200 OK\r\n\r\nabc", "def", "ghi"));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(r.body()).isEqualTo("abcdefghi");
      RawHttp.Response again = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(again.body()).isEqualTo("abcdefghi");
    }
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      assertThat(r.header("transfer-encoding")).isNull();
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(r.body()).isEqualTo("abcdefghi");
    }
  }

  @Test
  void aChunkedResponseSplitAnywhereReachesBothKindsOfClientIntact() throws Exception {
    String response =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
            + "4\r\nWiki\r\n6;x=y\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
    Listener l = scripted(req -> Reply.inPiecesOf(3, response));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.header("x-a")).isEqualTo("1");
      assertThat(r.body()).isEqualTo("Wikipedia in \r\n\r\nchunks.");
      assertThat(http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body())
          .isEqualTo("Wikipedia in \r\n\r\nchunks.");
    }
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.0\r\n\r\n").read();
      assertThat(r.header("transfer-encoding")).isNull();
      assertThat(r.body()).isEqualTo("Wikipedia in \r\n\r\nchunks.");
      assertThat(http.closedByPeer()).isTrue();
    }
  }

  @Test
  void aResponseHeadThatArrivesAByteAtATimeIsRewrittenAndForwarded() throws Exception {
    Listener l =
        scripted(
            req ->
                Reply.inPiecesOf(
                    1,
                    "HTTP/1.0 201 Created\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                        + "Content-Length: 3\r\n\r\nabc"));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r =
          http.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
      assertThat(r.version()).isEqualTo("HTTP/1.1");
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.headers()).doesNotContainKeys("x-hop", "connection");
      assertThat(r.body()).isEqualTo("abc");
    }
  }

  @Test
  void aResponseWithBothLengthAndChunkedIsForwardedChunkedWithoutTheLength() throws Exception {
    Listener l =
        scripted(
            req ->
                Reply.of(
                    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n\r\n"));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.header("content-length")).isNull();
      assertThat(r.body()).isEqualTo("abc");
    }
  }

  @Test
  void anInvalidResponseGets502() throws Exception {
    Listener l =
        scripted(
            req ->
                req.requestLine().startsWith("GET /fold")
                    ? Reply.closing("HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n")
                    : Reply.closing("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET /lf HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).contains("invalid response");
      assertThat(http.send("GET /fold HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(502);
    }
  }
}
