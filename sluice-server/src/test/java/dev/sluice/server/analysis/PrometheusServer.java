package dev.sluice.server.analysis;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (the Debian package's binary) on 127.0.0.1 with a temporary config and storage
 * directory, scraping one target every second. Tests skip, with a message, where it is not
 * installed; CI installs it ({@code .ci/run}).
 */
final class PrometheusServer implements AutoCloseable {
  private final Process process;
  private final Path dir;
  final String url;

  private PrometheusServer(Process process, Path dir, String url) {
    this.process = process;
    this.dir = dir;
    this.url = url;
  }

  /** The binary on the PATH, if any. */
  static Optional<Path> binary(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .map(p -> Path.of(p, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Skips the calling test unless the binary is installed. */
  static Path require(String name) {
    Optional<Path> bin = binary(name);
    assumeThat(bin)
        .as(
            name
                + " is not installed (Debian package 'prometheus', which .ci/run installs); skipping"
                + " the tests against a real Prometheus")
        .isPresent();
    return bin.orElseThrow();
  }

  /**
   * Starts Prometheus scraping {@code target} (host:port, path /metrics) every second, with the
   * given rule file (may be null), and waits until its API answers.
   */
  static PrometheusServer start(Path dir, String target, Path rules) throws Exception {
    // The port is picked free, then bound by Prometheus: another process may take it in between.
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(dir, target, rules);
      } catch (PortTaken e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** Prometheus exited because its port was taken. */
  private static final class PortTaken extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTaken(String log) {
      super("prometheus could not bind its port:\n" + log);
    }
  }

  private static PrometheusServer startOnce(Path dir, String target, Path rules) throws Exception {
    Path bin = require("prometheus");
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ["%s"]
        scrape_configs:
          - job_name: sluice
            static_configs:
              - targets: ["%s"]
        """
            .formatted(rules.toAbsolutePath(), target));
    Process p =
        new ProcessBuilder(
                bin.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    PrometheusServer server = new PrometheusServer(p, dir, "http://127.0.0.1:" + port);
    try (HttpClient client = HttpClient.newHttpClient()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        if (!p.isAlive()) {
          String log = server.log();
          throw log.contains("address already in use")
              ? new PortTaken(log)
              : new IllegalStateException("prometheus exited:\n" + log);
        }
        try {
          HttpResponse<Void> r =
              client.send(
                  HttpRequest.newBuilder(URI.create(server.url + "/-/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return server;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) {
          server.close();
          throw new IllegalStateException("prometheus did not get ready:\n" + server.log());
        }
        // A poll interval while a child process starts, not a synchronisation between threads.
        p.waitFor(100, TimeUnit.MILLISECONDS);
      }
    }
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A port nothing listens on now (bound once, then closed). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops Prometheus (this process only, by its handle) and waits for it. */
  @Override
  public void close() {
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
