package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upgrade to a protocol the router knows nothing of: after the upstream's 101 the router passes
 * bytes both ways untouched, holds a fast writer back while the reader is slow, and closes plainly
 * (no WebSocket close frame) when the version's drain timeout ends the tunnel.
 */
class UpgradeTunnelTest {

  private static final long FLOOD = 128L << 20;
  private static final long IN_TRANSIT_LIMIT = 48L << 20;

  private ServerSocket upstream;
  private final CompletableFuture<String> upstreamHead = new CompletableFuture<>();
  private final AtomicLong flooded = new AtomicLong();
  private volatile boolean flood;
  private volatile boolean webSocketMidFrame;
  private final CountDownLatch restOfFrame = new CountDownLatch(1);
  private final CompletableFuture<Integer> upstreamFirstByte = new CompletableFuture<>();
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() throws IOException {
    upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::serve, "upgrade-upstream");
    t.setDaemon(true);
    t.start();
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    listener = router.listen(ListenerOptions.of("raw", ANY_PORT));
    listener.update(table(Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() throws IOException {
    router.close();
    upstream.close();
  }

  private Endpoint endpoint() {
    return new Endpoint("raw/v1/0", "127.0.0.1", upstream.getLocalPort());
  }

  private RoutingTable table(Duration drain) {
    return RoutingTable.builder()
        .version("v1", 100, List.of(endpoint()))
        .drainTimeout(drain)
        .build();
  }

  /** Waits until a byte counter has stopped moving for half a second. */
  private static void awaitStable(AtomicLong counter) {
    long[] last = {-1};
    long[] since = {System.nanoTime()};
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              long now = counter.get();
              if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
                return false;
              }
              return now > 0 && System.nanoTime() - since[0] > 500_000_000L;
            });
  }

  /** Answers one upgrade with 101, then echoes every byte (or floods, when asked). */
  private void serve() {
    try (Socket s = upstream.accept()) {
      s.setSoTimeout(20_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      upstreamHead.complete(readHead(in));
      String protocol = webSocketMidFrame ? "websocket" : "x-echo/1";
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
                  + protocol
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (webSocketMidFrame) {
        // A text frame of 10 bytes, cut after 4 of them; the rest and a second frame come later.
        out.write(new byte[] {(byte) 0x81, 10, 'a', 'b', 'c', 'd'});
        out.flush();
        restOfFrame.await(10, TimeUnit.SECONDS);
        out.write(new byte[] {'e', 'f', 'g', 'h', 'i', 'j', (byte) 0x81, 2, 'X', 'Y'});
        out.flush();
        upstreamFirstByte.complete(in.read());
        return;
      }
      if (flood) {
        byte[] chunk = new byte[64 << 10];
        while (flooded.get() < FLOOD) {
          out.write(chunk);
          flooded.addAndGet(chunk.length);
        }
        out.flush();
        return;
      }
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the router closed the tunnel, or the test ended
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      String h = head.toString(StandardCharsets.ISO_8859_1);
      if (h.endsWith("\r\n\r\n")) {
        return h;
      }
    }
    throw new IOException("closed before a head");
  }

  private static final String UPGRADE =
      "GET /stream HTTP/1.1\r\nHost: raw\r\nConnection: keep-alive, Upgrade\r\n"
          + "Upgrade: x-echo/1\r\n\r\n";

  @Test
  void tunnelsBytesBothWaysForAnUpgradeToAnyProtocol() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      // Bytes sent right behind the head wait for the 101 and then go through the tunnel.
      http.send(UPGRADE + "early;");
      RawHttp.Response r = http.read(true);
      assertThat(r.status()).isEqualTo(101);
      assertThat(r.header("upgrade")).isEqualTo("x-echo/1");
      assertThat(r.header("connection")).isEqualToIgnoringCase("upgrade");
      String head = upstreamHead.get(5, TimeUnit.SECONDS);
      assertThat(head).contains("Upgrade: x-echo/1\r\n").contains("Connection: upgrade\r\n");

      assertThat(readExactly(http.input(), 6)).isEqualTo("early;");
      // Bytes that look like HTTP are not parsed any more.
      String raw = "GET /not-http HTTP/1.1\r\n\r\n\0\1\2 binary \u00ff";
      http.send(raw);
      assertThat(readExactly(http.input(), raw.length())).isEqualTo(raw);
    }
  }

  @Test
  void holdsAFastUpstreamBackWhileTheClientDoesNotRead() throws Exception {
    flood = true;
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send(UPGRADE);
      assertThat(http.read(true).status()).isEqualTo(101);
      // The client reads nothing more: the upstream must stall far below what it wants to send.
      awaitStable(flooded);
      assertThat(flooded.get()).isLessThan(IN_TRANSIT_LIMIT);

      long total = 0;
      byte[] buf = new byte[1 << 16];
      int n;
      InputStream in = http.input();
      while (total < FLOOD && (n = in.read(buf)) > 0) {
        total += n;
      }
      assertThat(total).isEqualTo(FLOOD);
    }
  }

  @Test
  void closesATunnelPlainlyWhenItsVersionHasDrained() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send(UPGRADE);
      assertThat(http.read(true).status()).isEqualTo(101);
      listener.update(RoutingTable.builder().drainTimeout(Duration.ofMillis(300)).build());
      // No WebSocket close frame for another protocol: the connection just ends.
      InputStream in = http.input();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(router.awaitDrained(List.of(endpoint()), Duration.ofSeconds(5)).get()).isTrue();
    }
  }

  @Test
  void aDrainedWebSocketGetsItsCloseFrameAfterTheFrameInProgressNeverInsideIt() throws Exception {
    webSocketMidFrame = true;
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send(
          "GET /ws HTTP/1.1\r\nHost: raw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      assertThat(http.read(true).status()).isEqualTo(101);
      InputStream in = http.input();
      assertThat(readExactly(in, 6)).isEqualTo("\u0081\nabcd");

      listener.update(RoutingTable.builder().drainTimeout(Duration.ofMillis(200)).build());
      await()
          .atMost(5, TimeUnit.SECONDS)
          .until(() -> metric("sluice_tunnels_drained_total{app=\"raw\",version=\"v1\"}") == 1);
      restOfFrame.countDown();

      // The frame in progress completes, then the close frame (1001, "drained"), then the end:
      // the frame the upstream sent after it never arrives.
      assertThat(readExactly(in, 6)).isEqualTo("efghij");
      byte[] close = in.readAllBytes();
      assertThat(close).hasSize(11);
      assertThat(close[0] & 0xff).isEqualTo(0x88);
      assertThat(close[1]).isEqualTo((byte) 9);
      assertThat((close[2] & 0xff) << 8 | close[3] & 0xff).isEqualTo(1001);
      assertThat(new String(close, 4, 7, StandardCharsets.UTF_8)).isEqualTo("drained");
      // The upstream got a (masked) close frame of its own.
      assertThat(upstreamFirstByte.get(5, TimeUnit.SECONDS)).isEqualTo(0x88);
    }
  }

  private long metric(String series) throws IOException {
    StringBuilder out = new StringBuilder();
    router.metrics().writePrometheus(out);
    return out.toString()
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .map(l -> Long.parseLong(l.substring(series.length() + 1)))
        .findFirst()
        .orElse(-1L);
  }

  private static String readExactly(InputStream in, int n) throws IOException {
    return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
  }
}
