package dev.sluice.runtime.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny app the tests run as replicas: listens on {@code $PORT}, answers {@code /health} with what
 * it was told in its environment and arguments, and says on stdout when SIGTERM stops it.
 */
public final class HealthApp {
  private HealthApp() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv("PORT"));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    String body =
        "app="
            + System.getenv("SLUICE_APP")
            + " version="
            + System.getenv("SLUICE_VERSION")
            + " replica="
            + System.getenv("SLUICE_REPLICA")
            + " extra="
            + System.getenv("EXTRA")
            + " port="
            + port
            + " pid="
            + ProcessHandle.current().pid()
            + " args="
            + String.join(",", args);
    server.createContext(
        "/health",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("got SIGTERM, stopping");
                  server.stop(0);
                }));
    System.out.println("listening " + body);
    System.err.println("stderr of replica " + System.getenv("SLUICE_REPLICA"));
  }
}
