package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The head parser against RFC 9112's message syntax and the proxy's edits. */
class HeadParserTest {

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final byte[] IP = "10.1.2.3".getBytes(StandardCharsets.US_ASCII);

  private final HeadParser parser = new HeadParser();
  private ByteBuf buf = Unpooled.buffer();

  @AfterEach
  void release() {
    buf.release();
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
  }

  /** Finds and parses the head at the start of {@code text}; returns the result code. */
  private int request(String text) {
    buf.release();
    buf = bytes(text);
    int len = parser.parse(buf, 0, true);
    return len > 0 ? 200 : -len;
  }

  private String upstreamHead(String text) {
    assertThat(request(text)).isEqualTo(200);
    ByteBuf out = parser.writeRequest(ALLOC, IP, 0);
    try {
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  @Test
  void parsesWhatTheRouterNeedsFromARequestHead() {
    assertThat(request("POST /a?b=1 HTTP/1.1\r\nHost: shop\r\nContent-Length: 12\r\n\r\n"))
        .isEqualTo(200);
    assertThat(parser.version()).isEqualTo(11);
    assertThat(parser.method()).isEqualTo(HeadParser.METHOD_OTHER);
    assertThat(parser.contentLength()).isEqualTo(12);
    assertThat(parser.chunked()).isFalse();
    assertThat(parser.keepAlive()).isTrue();

    assertThat(request("GET / HTTP/1.0\r\n\r\n")).isEqualTo(200);
    assertThat(parser.version()).isEqualTo(10);
    assertThat(parser.method()).isEqualTo(HeadParser.METHOD_GET);
    assertThat(parser.keepAlive()).isFalse();
    assertThat(parser.contentLength()).isEqualTo(-1);

    assertThat(request("HEAD / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).isEqualTo(200);
    assertThat(parser.method()).isEqualTo(HeadParser.METHOD_HEAD);
    assertThat(parser.keepAlive()).isTrue();

    assertThat(request("PUT / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: Chunked\r\n\r\n"))
        .isEqualTo(200);
    assertThat(parser.method()).isEqualTo(HeadParser.METHOD_IDEMPOTENT);
    assertThat(parser.chunked()).isTrue();

    assertThat(request("DELETE / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n"))
        .isEqualTo(200);
    assertThat(parser.keepAlive()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bare LF ending a header line | GET / HTTP/1.1\\r\\nHost: a\\n\\r\\n | 400",
        "bare LF ending the request line | GET / HTTP/1.1\\nHost: a\\r\\n\\r\\n | 400",
        "bare CR inside a value | GET / HTTP/1.1\\r\\nHost: a\\rb\\r\\n\\r\\n | 400",
        "obs-fold | GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\\r\\n  2\\r\\n\\r\\n | 400",
        "whitespace before the colon | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n | 400",
        "empty field name | GET / HTTP/1.1\\r\\nHost: a\\r\\n: x\\r\\n\\r\\n | 400",
        "control character in a value | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\u0001b\\r\\n\\r\\n | 400",
        "Content-Length and Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "two Content-Length fields | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\n | 400",
        "a Content-Length list | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 3\\r\\n\\r\\n | 400",
        "a signed Content-Length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\n | 400",
        "an empty Content-Length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: \\r\\n\\r\\n | 400",
        "a huge Content-Length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n | 400",
        "chunked in HTTP/1.0 | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "a coding other than chunked | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501",
        "no Host in HTTP/1.1 | GET / HTTP/1.1\\r\\nAccept: */*\\r\\n\\r\\n | 400",
        "two Host fields | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400",
        "HTTP/2.0 | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505",
        "no version | GET /\\r\\nHost: a\\r\\n\\r\\n | 400",
        "a lower-case version | GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "two spaces | GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "a space in the target | GET /a b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "no method | / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
      })
  void refusesAMalformedRequestHead(String why, String head, int status) {
    assertThat(request(unescape(head))).as(why).isEqualTo(status);
  }

  @Test
  void enforcesTheSizeLimitsWith414And431() {
    String longTarget = "/" + "a".repeat(HeadParser.MAX_REQUEST_LINE);
    assertThat(request("GET " + longTarget + " HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(414);
    // Still incomplete but already too long: no need to wait for the rest.
    assertThat(request("GET " + longTarget)).isEqualTo(414);
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HeadParser.MAX_REQUEST_FIELDS; i++) {
      many.append("X-").append(i).append(": 1\r\n");
    }
    assertThat(request(many + "\r\n")).isEqualTo(431);
    String big = "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(HeadParser.MAX_REQUEST_HEAD);
    assertThat(request(big)).isEqualTo(431);
  }

  @Test
  void findsAHeadThatArrivesAByteAtATime() {
    byte[] head =
        "GET /x HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    int hint = 0;
    for (int i = 0; i < head.length; i++) {
      buf.writeByte(head[i]);
      int len = parser.parse(buf, hint, true);
      if (i < head.length - 1) {
        assertThat(len).as("after byte %d", i).isZero();
        hint = parser.hint();
        assertThat(hint).isBetween(1, i + 2);
      } else {
        assertThat(len).isEqualTo(head.length);
      }
    }
    assertThat(parser.contentLength()).isEqualTo(-1);
    assertThat(parser.version()).isEqualTo(11);
  }

  @Test
  void aHeadFinishedLaterIsCheckedAsStrictlyAsOneThatCameWhole() {
    buf.writeBytes(bytes("GET / HTTP/1.1\r\nHost: a\r\n"));
    assertThat(parser.parse(buf, 0, true)).isZero();
    int hint = parser.hint();
    buf.writeBytes(bytes("X: 1\r\n 2\r\n\r\n"));
    assertThat(parser.parse(buf, hint, true)).isEqualTo(-400);
  }

  @Test
  void waitsForTheRestOfAnEmptyLineBeforeARequest() {
    buf.writeBytes(bytes("\r"));
    assertThat(parser.parse(buf, 0, true)).isZero();
    int hint = parser.hint();
    buf.writeBytes(bytes("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    assertThat(parser.parse(buf, hint, true)).isEqualTo(27);
  }

  @Test
  void refusesARequestLineThatGrowsTooLongInPieces() {
    buf.writeBytes(bytes("GET /"));
    assertThat(parser.parse(buf, 0, true)).isZero();
    int hint = parser.hint();
    buf.writeBytes(bytes("a".repeat(HeadParser.MAX_REQUEST_LINE)));
    assertThat(parser.parse(buf, hint, true)).isEqualTo(-414);
  }

  @Test
  void readsAHeadLargerThanTheFirstWindow() {
    String cookie = "c".repeat(6000);
    assertThat(request("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + cookie + "\r\nX: 1\r\n\r\nbody"))
        .isEqualTo(200);
    assertThat(upstreamHead("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + cookie + "\r\n\r\n"))
        .contains("Cookie: " + cookie + "\r\n");
  }

  @Test
  void findsPipelinedHeadsOneAfterTheOtherAndSkipsEmptyLinesBeforeARequest() {
    buf.writeBytes(
        bytes(
            "\r\n\r\nGET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3"));
    int len = parser.parse(buf, 0, true);
    assertThat(buf.toString(buf.readerIndex(), len, StandardCharsets.US_ASCII))
        .isEqualTo("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
    buf.skipBytes(len);
    len = parser.parse(buf, 0, true);
    assertThat(buf.toString(buf.readerIndex(), len, StandardCharsets.US_ASCII))
        .startsWith("GET /2 ");
    buf.skipBytes(len);
    assertThat(parser.parse(buf, 0, true)).isZero();
  }

  @Test
  void writesTheUpstreamHeadWithoutHopByHopFieldsAndWithForwardedFields() {
    String out =
        upstreamHead(
            "GET /p HTTP/1.0\r\nHost: shop:8080\r\nConnection: keep-alive, X-Private\r\n"
                + "X-Private: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\n"
                + "TE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Forwarded-For: 203.0.113.7\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nAccept: */*\r\n"
                + "x-forwarded-for: 198.51.100.1\r\n\r\n");
    assertThat(out)
        .isEqualTo(
            "GET /p HTTP/1.1\r\nHost: shop:8080\r\nAccept: */*\r\n"
                + "X-Forwarded-For: 203.0.113.7, 198.51.100.1, 10.1.2.3\r\n"
                + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: shop:8080\r\n\r\n");
    assertThat(upstreamHead("GET / HTTP/1.0\r\n\r\n"))
        .isEqualTo(
            "GET / HTTP/1.1\r\nX-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: http\r\n\r\n");
  }

  @Test
  void recognisesAnUpgradeOnlyInHttp11WithTheConnectionOption() {
    assertThat(
            request(
                "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                    + "Upgrade: WebSocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"))
        .isEqualTo(200);
    assertThat(parser.upgrade()).isTrue();
    assertThat(parser.upgradeToWebSocket()).isTrue();

    request("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c, websocket\r\n\r\n");
    assertThat(parser.upgrade()).isTrue();
    assertThat(parser.upgradeToWebSocket()).isFalse();

    request("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n");
    assertThat(parser.upgrade()).isFalse();
    request("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade:\r\n\r\n");
    assertThat(parser.upgrade()).isFalse();
    request("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
    assertThat(parser.upgrade()).isFalse();
  }

  @Test
  void anUpgradeKeptGoesUpstreamWithItsUpgradeFieldAndConnectionUpgrade() {
    assertThat(
            request(
                "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, X-Private\r\n"
                    + "X-Private: 1\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"))
        .isEqualTo(200);
    parser.keepUpgrade();
    ByteBuf out = parser.writeRequest(ALLOC, IP, 0);
    try {
      assertThat(out.toString(StandardCharsets.ISO_8859_1))
          .isEqualTo(
              "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                  + "X-Forwarded-For: 10.1.2.3\r\nX-Forwarded-Proto: http\r\n"
                  + "Connection: upgrade\r\nX-Forwarded-Host: a\r\n\r\n");
    } finally {
      out.release();
    }
  }

  @Test
  void keepsTransferEncodingEvenWhenConnectionNamesIt() {
    assertThat(
            upstreamHead(
                "POST / HTTP/1.1\r\nHost: a\r\nConnection: Transfer-Encoding\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"))
        .contains("Transfer-Encoding: chunked\r\n")
        .doesNotContain("Connection");
  }

  /** Parses a response head; returns the rewritten head as the client would get it. */
  private String rewriteResponse(String head, int adds, boolean inPlace) {
    buf.release();
    buf = Unpooled.directBuffer(head.length() + 10);
    buf.writeBytes(bytes(head));
    int len = parser.parse(buf, 0, false);
    assertThat(len).isEqualTo(head.length());
    int at = parser.rewriteResponseHead(buf, 0, adds);
    if (inPlace) {
      assertThat(at).isGreaterThanOrEqualTo(0);
      return buf.toString(at, len - at, StandardCharsets.ISO_8859_1);
    }
    assertThat(at).isEqualTo(-1);
    ByteBuf copy = parser.copyResponseHead(ALLOC, adds);
    try {
      return copy.toString(StandardCharsets.ISO_8859_1);
    } finally {
      copy.release();
    }
  }

  @Test
  void rewritesAResponseHeadInPlaceWhenTheAdditionsFitWhereFieldsWereDropped() {
    String nginx =
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 512\r\n"
            + "Connection: keep-alive\r\nETag: \"x\"\r\n\r\n";
    assertThat(rewriteResponse(nginx, 0, true))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 512\r\nETag: \"x\"\r\n\r\n");
    assertThat(rewriteResponse(nginx, HeadParser.ADD_CLOSE, true))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nServer: nginx\r\nContent-Length: 512\r\n"
                + "ETag: \"x\"\r\n\r\n");
    assertThat(
            rewriteResponse(
                "HTTP/1.0 404 Not Found\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
                    + "Keep-Alive: timeout=5\r\nX-Kept: yes\r\n\r\n",
                HeadParser.ADD_KEEP_ALIVE,
                true))
        .isEqualTo("HTTP/1.1 404 Not Found\r\nConnection: keep-alive\r\nX-Kept: yes\r\n\r\n");
  }

  @Test
  void copiesAResponseHeadWhenTheAdditionsDoNotFit() {
    assertThat(
            rewriteResponse(
                "HTTP/1.1 200 OK\r\nDate: today\r\n\r\n",
                HeadParser.ADD_CHUNKED | HeadParser.ADD_CLOSE,
                false))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                + "Date: today\r\n\r\n");
  }

  @Test
  void leavesAResponseHeadThatNeedsNoEditAsItIs() {
    String head = "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n";
    assertThat(rewriteResponse(head, 0, true)).isEqualTo(head);
    assertThat(parser.status()).isEqualTo(204);
  }

  @Test
  void readsResponseFramingAndPersistence() {
    rewriteResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, true);
    assertThat(parser.chunked()).isTrue();
    assertThat(parser.keepAlive()).isTrue();
    rewriteResponse("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", 0, true);
    assertThat(parser.contentLength()).isEqualTo(5);
    assertThat(parser.keepAlive()).isFalse();
    rewriteResponse("HTTP/1.1 200\r\nConnection: close\r\n\r\n", 0, true);
    assertThat(parser.status()).isEqualTo(200);
    assertThat(parser.keepAlive()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no status code | HTTP/1.1 OK\\r\\n\\r\\n",
        "a status code of two digits | HTTP/1.1 20 OK\\r\\n\\r\\n",
        "a status code out of range | HTTP/1.1 600 Odd\\r\\n\\r\\n",
        "not HTTP | ICY 200 OK\\r\\n\\r\\n",
        "bare LF | HTTP/1.1 200 OK\\nContent-Length: 0\\r\\n\\r\\n",
        "obs-fold | HTTP/1.1 200 OK\\r\\nX: a\\r\\n b\\r\\n\\r\\n",
        "two different lengths | HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n",
        "a coding other than chunked | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n",
        "chunked in HTTP/1.0 | HTTP/1.0 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
        "an empty line first | \\r\\nHTTP/1.1 200 OK\\r\\n\\r\\n",
      })
  void refusesAMalformedResponseHead(String why, String head) {
    buf.release();
    buf = bytes(unescape(head));
    assertThat(parser.parse(buf, 0, false)).as(why).isNegative();
  }

  private static String unescape(String s) {
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001");
  }
}
