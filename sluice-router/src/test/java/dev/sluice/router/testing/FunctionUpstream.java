package dev.sluice.router.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 upstream (the JDK's server on 127.0.0.1 port 0) whose answers a test writes as a
 * function of the request; it records what it received and how many it answered.
 */
public final class FunctionUpstream implements AutoCloseable {

  /** A received request. */
  public record Request(
      String method, String target, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** An answer. */
  public record Reply(int status, Map<String, String> headers, String body) {
    public static Reply ok(String body) {
      return new Reply(200, Map.of(), body);
    }

    public static Reply json(String body) {
      return new Reply(200, Map.of("content-type", "application/json"), body);
    }
  }

  public final List<Request> received = new CopyOnWriteArrayList<>();
  public final AtomicInteger answered = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(16);

  private FunctionUpstream(Function<Request, Reply> handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(threads);
    server.createContext("/", ex -> handle(ex, handler));
    server.start();
  }

  public static FunctionUpstream start(Function<Request, Reply> handler) {
    try {
      return new FunctionUpstream(handler);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange ex, Function<Request, Reply> handler) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Request r =
          new Request(
              ex.getRequestMethod(),
              ex.getRequestURI().toString(),
              Map.copyOf(ex.getRequestHeaders()),
              body);
      received.add(r);
      Reply reply = handler.apply(r);
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      boolean noBody = r.method().equals("HEAD");
      ex.sendResponseHeaders(reply.status(), noBody ? -1 : out.length == 0 ? -1 : out.length);
      if (!noBody && out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
      answered.incrementAndGet();
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
