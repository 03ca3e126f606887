package dev.sluice.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP app to release in demos and tests: {@code /} answers 200 with its version (and 500
 * at the configured error rate, after the configured latency), {@code /health} and {@code /ready}
 * answer 200, {@code /slow?ms=N} answers after N milliseconds, {@code /checkout} answers with the
 * variant of flag {@code new-checkout} the router sent ({@code Sluice-Flag-new-checkout}) and fails
 * for the variant named by {@code ?failOn=VARIANT}.
 */
public final class SampleApp implements AutoCloseable {
  private final HttpServer server;
  private final String version;
  private volatile double errorRate;
  private final int items;
  private final long latencyMs;

  private SampleApp(
      HttpServer server, String version, double errorRate, long latencyMs, int items) {
    this.server = server;
    this.version = version;
    this.errorRate = errorRate;
    this.latencyMs = latencyMs;
    this.items = items;
  }

  /** Starts the app on {@code host:port}. */
  public static SampleApp start(
      String host, int port, String version, double errorRate, long latencyMs) throws IOException {
    return start(host, port, version, errorRate, latencyMs, 3);
  }

  /**
   * Starts the app on {@code host:port}; {@code /api/items} answers {@code items} items (change it
   * between versions to make a behaviour change a shadow comparison finds).
   */
  public static SampleApp start(
      String host, int port, String version, double errorRate, long latencyMs, int items)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 512);
    SampleApp app = new SampleApp(server, version, errorRate, latencyMs, items);
    server.createContext("/", app::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return app;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
      switch (path) {
        case "/health", "/ready" -> send(ex, 200, "ok\n");
        case "/admin/error-rate" -> {
          // a fault switch for demos and benchmarks: POST /admin/error-rate?permille=500
          double v = param(ex, "permille", -1) / 1000.0;
          if (!ex.getRequestMethod().equals("POST") || v < 0 || v > 1) {
            send(ex, 400, "POST /admin/error-rate?permille=0..1000\n");
          } else {
            errorRate = v;
            send(ex, 200, "error rate " + v + "\n");
          }
        }
        case "/slow" -> {
          sleep(param(ex, "ms", 1000));
          send(ex, 200, "version " + version + " (slow)\n");
        }
        case "/api/items" -> {
          sleep(latencyMs);
          StringBuilder list = new StringBuilder();
          for (int i = 1; i <= items; i++) {
            list.append(i == 1 ? "" : ",").append(i);
          }
          ex.getResponseHeaders().set("Content-Type", "application/json");
          send(
              ex,
              200,
              "{\"items\":["
                  + list
                  + "],\"version\":\""
                  + version
                  + "\",\"time\":"
                  + System.nanoTime()
                  + "}\n");
        }
        case "/checkout" -> {
          // The variant of new-checkout that the router chose (flags at the edge); with
          // ?failOn=VARIANT the path fails for that variant, as a broken new code path would.
          String variant = ex.getRequestHeaders().getFirst("Sluice-Flag-new-checkout");
          String failOn = query(ex, "failOn");
          sleep(latencyMs);
          if (failOn != null && failOn.equals(variant)) {
            send(ex, 500, "checkout " + variant + " failed on purpose\n");
          } else {
            send(ex, 200, "checkout " + variant + " from version " + version + "\n");
          }
        }
        case "/" -> {
          sleep(latencyMs);
          if (errorRate > 0 && ThreadLocalRandom.current().nextDouble() < errorRate) {
            send(ex, 500, "version " + version + " failed on purpose\n");
          } else {
            send(ex, 200, "hello from version " + version + "\n");
          }
        }
        default -> send(ex, 404, "not found: " + path + "\n");
      }
    }
  }

  private static @Nullable String query(HttpExchange ex, String name) {
    String q = ex.getRequestURI().getQuery();
    if (q == null) {
      return null;
    }
    for (String part : q.split("&")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static long param(HttpExchange ex, String name, long def) {
    String q = ex.getRequestURI().getQuery();
    if (q == null) {
      return def;
    }
    for (String part : q.split("&")) {
      if (part.startsWith(name + "=")) {
        try {
          return Long.parseLong(part.substring(name.length() + 1));
        } catch (NumberFormatException e) {
          return def;
        }
      }
    }
    return def;
  }

  private static void sleep(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!ex.getResponseHeaders().containsKey("Content-Type")) {
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    ex.getResponseHeaders().set("X-Version", version);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
