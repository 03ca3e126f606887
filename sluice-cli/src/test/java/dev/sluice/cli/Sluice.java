package dev.sluice.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code sluice.jar}, driven as a user drives it: a daemon process ({@code sluice up})
 * and CLI commands run as processes against it.
 */
final class Sluice implements AutoCloseable {
  static final Path JAR = Path.of(System.getProperty("sluice.jar", "target/sluice.jar"));
  static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  final Path dir;
  final Path spec;
  final Path stateDir;
  private Process daemon;

  Sluice(Path dir, String specText) throws IOException {
    this.dir = dir;
    this.spec = dir.resolve("sluice.yaml");
    this.stateDir = dir.resolve("state");
    Files.writeString(spec, specText);
  }

  /** A spec for one app of sample-app replicas, with extra strategy lines. */
  static String sampleSpec(int replicas, String strategy) {
    return """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [%s, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx48m", "-jar", %s, sample-app, --version, "${version}"]
                replicas: %d
                stopGrace: 5s
            health: {path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
            progressDeadline: 1m
            strategy:
              %s
        """
        .formatted(
            Json.write(JAVA), Json.write(JAR.toAbsolutePath().toString()), replicas, strategy);
  }

  /**
   * A spec whose replicas run {@code run.sh VERSION}: sample-app with the extra arguments in {@code
   * versions/VERSION} (e.g. {@code --error-rate 0.3}), as a user's build would give each version
   * its own artifact. {@code strategy} is the YAML of the strategy mapping's content.
   */
  static String scriptedSpec(Path dir, int replicas, String strategy) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        dir.resolve("run.sh"),
        """
        #!/bin/sh
        extra=$(cat "versions/$1" 2>/dev/null)
        exec %s -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx48m -jar %s sample-app --version "$1" $extra
        """
            .formatted(JAVA, JAR.toAbsolutePath()));
    return """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [sh, run.sh, "${version}"]
                replicas: %d
                stopGrace: 5s
            health: {path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
            progressDeadline: 1m
            strategy:
        %s
        """
        .formatted(replicas, strategy.indent(6).stripTrailing());
  }

  /** Starts {@code sluice up} and waits until its API answers. */
  Sluice up(String... extra) throws IOException {
    Files.deleteIfExists(stateDir.resolve("api.addr"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "up",
                "-f",
                spec.toString(),
                "--state-dir",
                stateDir.toString(),
                "--api-listen",
                "127.0.0.1:0"));
    args.addAll(List.of(extra));
    daemon =
        new ProcessBuilder(command("-Xmx256m", args.toArray(String[]::new)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.log").toFile()))
            .start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(stateDir.resolve("api.addr")) || !daemon.isAlive());
    if (!daemon.isAlive()) {
      throw new IllegalStateException(
          "sluice up exited: " + Files.readString(dir.resolve("daemon.log")));
    }
    return this;
  }

  /** Stops the daemon as Ctrl-C would (SIGTERM) and waits for it. */
  void down() throws InterruptedException {
    daemon.destroy();
    if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
      daemon.destroyForcibly();
      throw new IllegalStateException("sluice up did not stop within 30s of SIGTERM");
    }
  }

  /** Kills the daemon with SIGKILL, as a crash would, and waits until it is gone. */
  void kill() throws InterruptedException {
    daemon.destroyForcibly();
    daemon.waitFor();
  }

  long daemonPid() {
    return daemon.pid();
  }

  private static List<String> command(String jvmOption, String... args) {
    List<String> c = new ArrayList<>();
    c.add(JAVA);
    c.add("--enable-native-access=ALL-UNNAMED");
    c.add(jvmOption);
    c.add("-XX:TieredStopAtLevel=1");
    c.add("-jar");
    c.add(JAR.toAbsolutePath().toString());
    c.addAll(List.of(args));
    return c;
  }

  /** What a CLI command did. */
  record Result(int exit, String out, String err) {}

  /** Runs a CLI command against this daemon's state directory. */
  Result cli(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(stateDir.toString());
    return run(all.toArray(String[]::new));
  }

  /** Runs a CLI command as it is. */
  Result run(String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(command("-Xmx128m", args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "sluice " + String.join(" ", args) + " did not finish in 3 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** {@code sluice status shop -o json}. */
  JsonNode status() throws IOException, InterruptedException {
    Result r = cli("status", "shop", "-o", "json");
    if (r.exit() != 0) {
      throw new IllegalStateException("status failed: " + r);
    }
    return Json.MAPPER.readTree(r.out());
  }

  String apiUrl() throws IOException {
    return Files.readString(stateDir.resolve("api.addr")).trim();
  }

  String token() throws IOException {
    return Files.readString(stateDir.resolve("admin.token")).trim();
  }

  @Override
  public void close() throws InterruptedException {
    if (daemon != null && daemon.isAlive()) {
      down();
    }
  }
}
