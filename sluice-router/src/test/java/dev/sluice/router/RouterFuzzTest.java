package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the router's handling of client bytes: each input is written to a new connection of a real
 * router (public API, port 0) in front of a real HTTP/1.1 upstream, the client then closes its
 * sending side, and whatever the router answers is read until it closes the connection.
 *
 * <p>Whatever the bytes, the router answers only well-formed responses (each starting with a status
 * line of a known class), closes the connection once the client is done (no hang, no connection
 * left open), and keeps serving: a plain request afterwards still gets 200.
 *
 * <p>Through a socket rather than an embedded channel: the client handler runs on the router's own
 * event loops (it indexes per-loop parsers by its loop), so an embedded channel would need a hook
 * inside the router, whose HTTP parsing is being rewritten.
 */
class RouterFuzzTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] ([1-5]\\d\\d) ");

  private static HttpServer upstream;
  private static Router router;
  private static Listener listener;
  private static Listener probe;

  @BeforeAll
  static void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/",
        x -> {
          x.getRequestBody().readAllBytes();
          byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
          x.sendResponseHeaders(200, ok.length);
          x.getResponseBody().write(ok);
          x.close();
        });
    upstream.start();
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    RoutingTable table =
        RoutingTable.builder()
            .version(
                "v1",
                100,
                List.of(new Endpoint("u-0", "127.0.0.1", upstream.getAddress().getPort())))
            .build();
    listener =
        router.listen(
            ListenerOptions.of("fuzz", ANY_PORT)
                .withIdleTimeout(Duration.ofMillis(100))
                .withRequestTimeout(Duration.ofSeconds(2)));
    listener.update(table);
    // A second listener with the default timeouts checks that the router still serves.
    probe = router.listen(ListenerOptions.of("probe", ANY_PORT));
    probe.update(table);
  }

  @AfterAll
  static void stop() {
    if (router != null) {
      router.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  @FuzzTest(maxDuration = "10s")
  @Timeout(30)
  // libFuzzer dictionary syntax: CR and LF written as backslash-x escapes.
  @DictionaryEntries({
    "GET / HTTP/1.1\\x0d\\x0a",
    "POST / HTTP/1.1\\x0d\\x0a",
    "HEAD / HTTP/1.0\\x0d\\x0a",
    "Host: a\\x0d\\x0a",
    "Content-Length: ",
    "Transfer-Encoding: chunked\\x0d\\x0a",
    "Connection: close\\x0d\\x0a",
    "Connection: keep-alive\\x0d\\x0a",
    "Expect: 100-continue\\x0d\\x0a",
    "Upgrade: websocket\\x0d\\x0a",
    "\\x0d\\x0a\\x0d\\x0a",
    "0\\x0d\\x0a\\x0d\\x0a",
    ";ext=1",
  })
  void everyInputGetsWellFormedAnswersAndTheConnectionEnds(byte[] input) throws Exception {
    BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("localhost") || host.startsWith("127."));
    String answer = exchange(listener, input);
    if (!answer.isEmpty()) {
      Matcher m = STATUS_LINE.matcher(answer);
      assertThat(m.lookingAt()).as("an answer that starts with a status line: %s", answer).isTrue();
    }
    assertThat(
            exchange(
                probe,
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)))
        .as("the router still serves after that input")
        .startsWith("HTTP/1.1 200 ");
  }

  /** Sends the bytes and reads until the router closes. */
  private static String exchange(Listener to, byte[] input) throws IOException {
    InetSocketAddress a = to.address();
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.setSoTimeout(10_000);
      try {
        s.getOutputStream().write(input);
      } catch (IOException e) {
        // the router refused and closed before all was sent: read what it said
      }
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "the router kept a connection open 10 s, past its 100 ms idle timeout; it said: "
                + got.toString(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        // reset by the router after an error answer: what arrived is checked
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
