package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request smuggling and malformed HTTP/1.1, sent as raw bytes to a real router on port 0: each
 * request whose framing could be read two ways (RFC 9112 sections 2.2, 5, 6 and 7.1; the desync
 * cases of PortSwigger's "HTTP request smuggling") is refused with an error status, the connection
 * is closed, and nothing reaches the upstream, so a front and a back end can never disagree about
 * where a request ends. A client that never finishes its head (slowloris) is closed by the
 * listener's idle timeout however slowly it trickles.
 *
 * <p>Uses only the router's public API, so it holds whatever the HTTP parser inside looks like.
 */
class RequestSmugglingTest {

  private TestUpstream upstream;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    upstream = TestUpstream.start("v1-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    listener =
        router.listen(ListenerOptions.of("shop", ANY_PORT).withIdleTimeout(Duration.ofSeconds(1)));
    listener.update(single("v1", upstream));
  }

  @AfterEach
  void stop() {
    router.close();
    upstream.close();
  }

  /** What the router answered to raw bytes: the status (-1 for none) and whether it closed. */
  record Answer(int status, boolean closed, String text) {}

  private Answer send(String raw) throws IOException {
    return send(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  private Answer send(byte[] raw) throws IOException {
    InetSocketAddress a = listener.address();
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(raw);
      out.flush();
      return readUntilClosed(s);
    }
  }

  private static Answer readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    boolean closed;
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      closed = true; // reset by the peer
    }
    String text = got.toString(StandardCharsets.ISO_8859_1);
    int status = -1;
    if (text.startsWith("HTTP/1.1 ") && text.length() >= 12) {
      status = Integer.parseInt(text.substring(9, 12));
    }
    return new Answer(status, closed, text);
  }

  private static String crlf(String s) {
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Content-Length and Transfer-Encoding together (CL.TE and TE.CL desync).
        "CL then TE | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 6\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nGET /smuggled HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "TE then CL | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n8\\r\\nSMUGGLED\\r\\n0\\r\\n\\r\\n | 400",
        "TE with odd case and CL | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: ChUnKeD\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
        // Content-Length that two parsers could read differently.
        "two different lengths | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 40\\r\\n\\r\\nhello | 400",
        "a list of lengths | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5, 40\\r\\n\\r\\nhello | 400",
        "length with a sign | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +5\\r\\n\\r\\nhello | 400",
        "negative length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\nhello | 400",
        "hex length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x5\\r\\n\\r\\nhello | 400",
        "length with letters | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5a\\r\\n\\r\\nhello | 400",
        "empty length | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: \\r\\n\\r\\nhello | 400",
        "length past 2^63 | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999999\\r\\n\\r\\nhello | 400",
        // Transfer codings it does not implement, or chunked not last.
        // RFC 9112 section 6.1 asks for 400 when chunked is not last (or applied twice); the
        // router answers 501 (a coding it does not implement): refused all the same.
        "chunked twice | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400/501",
        "chunked then gzip | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n0\\r\\n\\r\\n | 400/501",
        "a coding it does not know | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n | 501",
        "TE in two fields | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 501",
        "TE from an HTTP/1.0 client | POST / HTTP/1.0\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
        // Line endings and folding.
        "obsolete line folding | GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\\r\\n\\t2\\r\\n\\r\\n | 400",
        // An empty Transfer-Encoding is refused as an unknown coding before the fold is seen.
        "folded Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding:\\r\\n chunked\\r\\nContent-Length: 3\\r\\n\\r\\nabc | 400/501",
        "space before the first field | GET / HTTP/1.1\\r\\n Host: a\\r\\n\\r\\n | 400",
        "bare LF in the head | GET / HTTP/1.1\\r\\nHost: a\\nX-A: 1\\r\\n\\r\\n | 400",
        "bare LF after the request line | GET / HTTP/1.1\\nHost: a\\r\\n\\r\\n | 400",
        "bare CR | GET / HTTP/1.1\\r\\nHost: a\\rX-A: 1\\r\\n\\r\\n | 400",
        // Field names and values.
        "space before the colon of TE | POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding : chunked\\r\\nContent-Length: 3\\r\\n\\r\\nabc | 400",
        "a NUL in a value | GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\\0 2\\r\\n\\r\\n | 400",
        "a bracket in a name | GET / HTTP/1.1\\r\\nHost: a\\r\\nX[A]: 1\\r\\n\\r\\n | 400",
        "two Host fields | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400",
        "a space in the target | GET /a b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
      })
  void anAmbiguousOrMalformedHeadIsRefusedClosedAndNeverForwarded(
      String why, String raw, String status) throws Exception {
    Answer a = send(crlf(raw));
    assertThat(Integer.toString(a.status()))
        .as("%s: %s", why, a.text())
        .isIn((Object[]) status.split("/"));
    assertThat(a.closed()).as("%s: the connection is closed", why).isTrue();
    assertThat(upstream.requests.get()).as("%s: nothing reached the upstream", why).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a chunk size that is no number | zz\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "a negative chunk size | -5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "a chunk size past 2^64 | 1ffffffffffffffffff\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "a chunk size with a sign | +5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "bare LF after a chunk size | 5\\nhello\\r\\n0\\r\\n\\r\\n",
        "no CRLF after chunk data | 5\\r\\nhelloXX0\\r\\n\\r\\n",
        "bare LF ending the last chunk | 5\\r\\nhello\\r\\n0\\n\\r\\n",
      })
  void anInvalidChunkIsRefusedAndTheConnectionClosed(String why, String chunks) throws Exception {
    Answer a =
        send(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + crlf(chunks)
                + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
    // The head was fine, so it may have gone upstream already; the bad chunk must end the
    // exchange with an error and a closed connection, and what follows it must never be read as
    // a request.
    assertThat(a.status()).as("%s: %s", why, a.text()).isIn(400, 502);
    assertThat(a.closed()).as("%s: the connection is closed", why).isTrue();
    assertThat(a.text()).as(why).doesNotContain("smuggled");
    assertThat(upstream.requests.get()).as(why).isLessThanOrEqualTo(1);
  }

  @Test
  void identicalContentLengthsAreOneLengthOrRefused() throws Exception {
    // RFC 9112 section 6.3: a recipient may take repeated identical values as one, or refuse.
    Answer a =
        send(
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(a.status()).as(a.text()).isIn(200, 400);
    assertThat(a.text()).doesNotContain("/smuggled");
    assertThat(upstream.requests.get()).isLessThanOrEqualTo(1);
  }

  @Test
  void aTooLongTargetGets414AndTooLargeHeadGets431() throws Exception {
    Answer uri = send("GET /" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(uri.status()).as(uri.text()).isEqualTo(414);
    assertThat(uri.closed()).isTrue();
    StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
    head.append("X-Big: ").append("b".repeat(70_000)).append("\r\n\r\n");
    Answer big = send(head.toString());
    assertThat(big.status()).as(big.text()).isEqualTo(431);
    assertThat(big.closed()).isTrue();
    assertThat(upstream.requests.get()).isZero();
  }

  @Test
  void aHeadTrickledByteByByteIsClosedByTheIdleTimeoutNotKeptOpen() throws Exception {
    InetSocketAddress a = listener.address();
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(200);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      boolean closed = false;
      // One more header byte every 200 ms (the read timeout paces the loop), for at most 10 s;
      // the listener's idle timeout is 1 s.
      while (!closed && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
        try {
          out.write('x');
          out.flush();
          if (s.getInputStream().read() < 0) {
            closed = true;
          }
        } catch (SocketTimeoutException e) {
          // nothing from the router yet: trickle on
        } catch (IOException e) {
          closed = true; // reset, or a write to a closed connection
        }
      }
      assertThat(closed).as("the router closed a connection whose head never ended").isTrue();
    }
    assertThat(upstream.requests.get()).isZero();
  }

  @Test
  void aWellFormedRequestAfterTheseStillWorks() throws Exception {
    Answer a = send("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(upstream.requests.get()).isEqualTo(1);
  }
}
