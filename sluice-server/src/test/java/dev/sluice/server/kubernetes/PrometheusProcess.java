package dev.sluice.server.kubernetes;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (the Debian package's binary) on a loopback port, scraping one exporter every
 * second; the exporter is named in a file ({@code file_sd_configs}), as a cluster's service
 * discovery would name a pod. Skips the calling test, with a message, where Prometheus is not
 * installed; CI installs it ({@code .ci/run}).
 */
final class PrometheusProcess implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusProcess(Process process, Path dir, String url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /** The binary, or the calling test is skipped. */
  static Path require() {
    String path = System.getenv("PATH");
    Optional<Path> bin =
        path == null
            ? Optional.empty()
            : Stream.of(path.split(File.pathSeparator))
                .map(p -> Path.of(p, "prometheus"))
                .filter(Files::isExecutable)
                .findFirst();
    assumeThat(bin)
        .as("prometheus is not installed (Debian package 'prometheus', which .ci/run installs)")
        .isPresent();
    return bin.orElseThrow();
  }

  /** Starts Prometheus scraping {@code 127.0.0.1:exporterPort/metrics}; waits until it is ready. */
  static PrometheusProcess start(Path binary, Path dir, int exporterPort) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("targets.json"),
        "[{\"targets\": [\"127.0.0.1:" + exporterPort + "\"], \"labels\": {\"app\": \"shop\"}}]");
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: shop
            file_sd_configs: [{files: ["%s"], refresh_interval: 1s}]
        """
            .formatted(dir.resolve("targets.json")));
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Process p =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      PrometheusProcess server = new PrometheusProcess(p, dir, "http://127.0.0.1:" + port);
      if (server.awaitReady()) {
        return server;
      }
      server.close();
      String log = Files.readString(dir.resolve("prometheus.log"));
      if (!log.contains("address already in use") || attempt == 3) {
        throw new IllegalStateException("prometheus did not start:\n" + log);
      }
    }
  }

  private boolean awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      }
      // a poll interval while a child process starts, not a synchronisation between threads
      process.waitFor(100, TimeUnit.MILLISECONDS);
    }
    return false;
  }

  String url() {
    return url;
  }

  /** Whether an instant query for {@code metric} returns a sample (it was scraped). */
  boolean hasSeries(String metric) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          url
                              + "/api/v1/query?query="
                              + URLEncoder.encode(metric, StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"value\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops this Prometheus (by its own handle) and waits for it. */
  @Override
  public void close() {
    http.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
