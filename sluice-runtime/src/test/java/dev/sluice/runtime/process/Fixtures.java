package dev.sluice.runtime.process;

import static org.awaitility.Awaitility.await;

import dev.sluice.runtime.process.internal.FreePorts;
import dev.sluice.runtime.process.internal.ProcStat;
import dev.sluice.runtime.process.internal.ProcessTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;

/** Commands, probes and waits shared by the supervisor tests. */
final class Fixtures {
  private static final ProcessTable TABLE = ProcessTable.system();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Ports for tests that restart a replica on its port: below the kernel's ephemeral range, so the
   * outgoing connections of other programs on this machine cannot take a port between a kill and
   * the restart.
   */
  static final PortRange TEST_PORTS = new PortRange(21000, 28999);

  private Fixtures() {}

  /** Returns a port of {@link #TEST_PORTS} that is free now. */
  static int freePort() {
    try {
      return FreePorts.allocate(InetAddress.getByName("127.0.0.1"), 21000, 28999, p -> false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for real processes: long enough for a loaded two-core machine, never forever. */
  static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50));
  }

  /** Runs {@link HealthApp} with the java binary running this test, tuned to start fast. */
  static List<String> healthApp(String... args) {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path classes;
    try {
      classes =
          Path.of(HealthApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "-Xmx32m",
            "-cp",
            classes.toString(),
            HealthApp.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  static List<String> sh(String script) {
    return List.of("sh", "-c", script);
  }

  /** Returns the body of {@code GET /health}, or null when nothing answers. */
  static @Nullable String health(int port) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Waits until the app on {@code port} answers and returns what it said. */
  static String awaitHealth(int port) {
    AtomicReference<@Nullable String> body = new AtomicReference<>();
    eventually().until(() -> (body.updateAndGet(b -> health(port))) != null);
    return body.get();
  }

  /** True while a live, non-zombie process has {@code pid}. */
  static boolean alive(long pid) {
    ProcStat stat = TABLE.stat(pid);
    return stat != null && !stat.zombie();
  }

  static @Nullable ProcStat stat(long pid) {
    return TABLE.stat(pid);
  }

  static void killHard(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits until {@code file} has a line {@code <word> <pid>} and returns the pid. */
  static long awaitPidInLog(Path file, String word) {
    Pattern pattern = Pattern.compile("(?m)^" + Pattern.quote(word) + " (\\d+)$");
    AtomicReference<Long> pid = new AtomicReference<>();
    eventually()
        .until(
            () -> {
              Matcher m = pattern.matcher(read(file));
              if (m.find()) {
                pid.set(Long.parseLong(m.group(1)));
                return true;
              }
              return false;
            });
    return pid.get();
  }

  /** A clock the test moves by hand. */
  static final class ManualClock implements InstantSource {
    private final AtomicReference<Instant> now =
        new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(Duration by) {
      now.updateAndGet(t -> t.plus(by));
    }
  }
}
