package dev.sluice.server.ha;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The app these tests release: a replica process listening on {@code $PORT} that answers {@code
 * /health} and {@code /} with its version (also in {@code X-Version}). JDK classes only, so it
 * starts in a fraction of a second.
 */
public final class EchoApp {
  private EchoApp() {}

  public static void main(String[] args) throws IOException {
    String version = args.length > 0 ? args[0] : "unknown";
    int port = Integer.parseInt(System.getenv("PORT"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext("/health", x -> answer(x, "ok"));
    server.createContext("/", x -> answer(x, version));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  private static void answer(HttpExchange x, String body) throws IOException {
    try (x) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("X-Version", body);
      x.sendResponseHeaders(200, bytes.length);
      x.getResponseBody().write(bytes);
    }
  }
}
