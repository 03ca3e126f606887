package dev.sluice.router.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's WebSocket client with what a test needs: whole messages (fragments joined) in a queue,
 * and the close status it received. Every wait is bounded.
 */
public final class WsClient implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newHttpClient();
  private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();

  /**
   * Completes with the status code of the close frame received, or -1 when the connection broke.
   */
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private final WebSocket socket;

  private WsClient(URI uri) throws Exception {
    socket =
        http.newWebSocketBuilder()
            .connectTimeout(WAIT)
            .buildAsync(uri, new Collector())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Opens a WebSocket to {@code path} through a listener. */
  public static WsClient connect(InetSocketAddress at, String path) throws Exception {
    return new WsClient(URI.create("ws://127.0.0.1:" + at.getPort() + path));
  }

  public void sendText(String text) throws Exception {
    socket.sendText(text, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Sends one text message as several frames, one per part. */
  public void sendFragments(String... parts) throws Exception {
    for (int i = 0; i < parts.length; i++) {
      socket.sendText(parts[i], i == parts.length - 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  public void sendBinary(byte[] bytes) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Returns the next whole text message; fails after 10 s. */
  public String nextText() throws Exception {
    Object m = next();
    if (!(m instanceof String s)) {
      throw new AssertionError("expected a text message, got " + m);
    }
    return s;
  }

  /** Returns the next whole binary message; fails after 10 s. */
  public byte[] nextBinary() throws Exception {
    Object m = next();
    if (!(m instanceof byte[] b)) {
      throw new AssertionError("expected a binary message, got " + m);
    }
    return b;
  }

  private Object next() throws InterruptedException {
    Object m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no message within " + WAIT);
    }
    return m;
  }

  /** Returns the close status received, waiting at most {@code d}; fails when none came. */
  public int awaitClose(Duration d) throws Exception {
    return closed.get(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    socket.abort();
    http.shutdownNow();
  }

  private final class Collector implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        messages.add(binary.toByteArray());
        binary.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(-1);
    }
  }
}
