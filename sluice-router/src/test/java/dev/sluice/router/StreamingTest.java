package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies of 200 MB pass through while a slow side holds the other back: the router stops reading
 * where it cannot write, so the amount in transit stays a few MB (socket buffers and Netty's write
 * watermarks), never the whole body.
 */
class StreamingTest {

  private static final long SIZE = 200L * 1024 * 1024;
  private static final long IN_TRANSIT_LIMIT = 48L * 1024 * 1024;

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

  @Test
  void streamsALargeResponseAndHoldsTheUpstreamBackWhileTheClientDoesNotRead() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("GET /big?bytes=" + SIZE + " HTTP/1.1\r\nHost: a\r\n\r\n");
      // The client reads nothing: the upstream must stall far below the body size.
      awaitStable(upstream.bigBytesWritten);
      assertThat(upstream.bigBytesWritten.get()).isLessThan(IN_TRANSIT_LIMIT);

      InputStream in = http.input();
      byte[] buf = new byte[1 << 16];
      long total = 0;
      int n;
      // Skip the head, then count body bytes of the chunked stream by its framing.
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("transfer-encoding: chunked");
      while (true) {
        String sizeLine = readLine(in);
        int size = Integer.parseInt(sizeLine.trim(), 16);
        if (size == 0) {
          readLine(in);
          break;
        }
        int left = size;
        while (left > 0 && (n = in.read(buf, 0, Math.min(buf.length, left))) > 0) {
          left -= n;
          total += n;
        }
        readLine(in);
      }
      assertThat(total).isEqualTo(SIZE);
    }
  }

  @Test
  void streamsALargeRequestBodyAndHoldsTheClientBackWhileTheUpstreamDoesNotRead() throws Exception {
    upstream.pauseUploads = true;
    try (RawHttp http = new RawHttp(listener.address())) {
      OutputStream out = http.output();
      AtomicLong sent = new AtomicLong();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + SIZE + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[1 << 16];
                try {
                  for (long left = SIZE; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                    sent.addAndGet(Math.min(chunk.length, left));
                  }
                  out.flush();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      awaitStable(sent);
      assertThat(sent.get()).isLessThan(IN_TRANSIT_LIMIT);
      upstream.resumeUploads();
      writer.get(60, java.util.concurrent.TimeUnit.SECONDS);
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(Long.toString(SIZE));
    }
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

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    String line;
    while (!(line = readLine(in)).isEmpty()) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  private static String readLine(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
