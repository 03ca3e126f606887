package dev.sluice.server.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The app the dashboard's tests release: a process the daemon starts per replica, listening on
 * {@code $PORT}, answering {@code /health} at once and {@code /} with its version after 1 to 6 ms
 * (so the latency charts have something to draw). Only JDK classes, so it starts in a fraction of a
 * second.
 */
public final class UpstreamApp {
  private UpstreamApp() {}

  public static void main(String[] args) throws IOException {
    String version = args.length > 0 ? args[0] : "unknown";
    int port = Integer.parseInt(System.getenv("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext("/health", x -> answer(x, "ok"));
    server.createContext(
        "/",
        x -> {
          try {
            // An app's own work, not a test waiting for something.
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 7));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(x, version);
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  private static void answer(HttpExchange x, String body) throws IOException {
    try (x) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/plain");
      x.getResponseHeaders().set("X-Version", body);
      x.sendResponseHeaders(200, bytes.length);
      x.getResponseBody().write(bytes);
    }
  }
}
