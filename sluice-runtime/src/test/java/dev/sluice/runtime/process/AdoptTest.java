package dev.sluice.runtime.process;

import static dev.sluice.runtime.process.Fixtures.alive;
import static dev.sluice.runtime.process.Fixtures.awaitHealth;
import static dev.sluice.runtime.process.Fixtures.awaitPidInLog;
import static dev.sluice.runtime.process.Fixtures.eventually;
import static dev.sluice.runtime.process.Fixtures.healthApp;
import static dev.sluice.runtime.process.Fixtures.killHard;
import static dev.sluice.runtime.process.Fixtures.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.runtime.process.ReplicaAdoptionException.Reason;
import dev.sluice.runtime.process.ReplicaEvent.Exited;
import dev.sluice.runtime.process.ReplicaEvent.Started;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon killed with -9 leaves its replicas running, re-parented to init; the next daemon adopts
 * them. These tests start such orphans the way the daemon would have ({@code setsid}, log
 * appended), from a shell that exits at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdoptTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path logDir;

  private final RecordingListener events = new RecordingListener();
  private ProcessSupervisor sup;
  private final List<Long> outsiders = new ArrayList<>();

  @BeforeEach
  void start() {
    sup =
        ProcessSupervisor.create(
            logDir,
            events,
            SupervisorOptions.DEFAULT
                .withBackoff(
                    new RestartBackoff(
                        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .withPorts(Fixtures.TEST_PORTS));
  }

  @AfterEach
  void stop() {
    sup.close();
    outsiders.forEach(Fixtures::killHard);
  }

  @Test
  void anOrphanedReplicaIsAdoptedWatchedRestartedOnItsPortAndStopped() throws Exception {
    int port = freePort();
    Path log = sup.logFile("shop", "v1", 0);
    long pid = startOrphan(healthApp(), port, log);
    awaitHealth(port);
    Instant startInstant = ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow();
    ProcessTemplate template = ProcessTemplate.of(healthApp());

    Replica adopted = sup.adopt("shop", "v1", 0, template, pid, startInstant, port);

    assertThat(adopted.pid()).isEqualTo(pid);
    assertThat(adopted.port()).isEqualTo(port);
    assertThat(adopted.state()).isEqualTo(ReplicaState.RUNNING);
    assertThat(adopted.startInstant()).isEqualTo(startInstant);
    assertThat(events.of(Started.class))
        .singleElement()
        .satisfies(e -> assertThat(e.adopted()).isTrue());
    assertThat(sup.endpoints("shop", "v1"))
        .singleElement()
        .satisfies(e -> assertThat(e.port()).isEqualTo(port));

    killHard(pid);

    eventually().until(() -> events.of(Started.class).size() == 2);
    Exited exited = events.of(Exited.class).get(0);
    assertThat(exited.expected()).isFalse();
    assertThat(exited.exitCode())
        .as("only a parent learns the code")
        .isEqualTo(OptionalInt.empty());
    Replica restarted = events.of(Started.class).get(1).replica();
    assertThat(events.of(Started.class).get(1).adopted()).isFalse();
    assertThat(restarted.port()).isEqualTo(port);
    assertThat(awaitHealth(port)).contains("pid=" + restarted.pid());
    // The orphan appended to the file it inherited; the restart appends after it.
    assertThat(read(log)).contains("listening app=shop", "adopted process " + pid);

    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);
    assertThat(alive(restarted.pid())).isFalse();
  }

  @Test
  void stoppingAnAdoptedReplicaKillsItsWholeTree() throws Exception {
    int port = freePort();
    Path log = sup.logFile("shop", "v1", 0);
    long pid = startOrphan(Fixtures.sh("sleep 30 & echo \"child $!\"; wait"), port, log);
    long child = awaitPidInLog(log, "child");
    Instant startInstant = ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow();

    sup.adopt("shop", "v1", 0, ProcessTemplate.of("true"), pid, startInstant, port);
    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);

    assertThat(alive(pid)).isFalse();
    assertThat(alive(child)).isFalse();
    assertThat(events.of(Exited.class))
        .singleElement()
        .satisfies(e -> assertThat(e.expected()).isTrue());
  }

  @Test
  void aPidWhoseStartInstantDiffersIsRefusedAsRecycled() throws Exception {
    int port = freePort();
    long pid = startOrphan(Fixtures.sh("exec sleep 30"), port, sup.logFile("shop", "v1", 0));
    Instant actual = ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow();
    ProcessTemplate template = ProcessTemplate.of("true");

    assertThatThrownBy(
            () -> sup.adopt("shop", "v1", 0, template, pid, actual.minusSeconds(3600), port))
        .isInstanceOfSatisfying(
            ReplicaAdoptionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.START_INSTANT_MISMATCH);
              assertThat(e.pid()).isEqualTo(pid);
            })
        .hasMessageContaining("recycled");
    assertThat(sup.replicas()).isEmpty();
    assertThat(events.all()).isEmpty();
    assertThat(alive(pid)).as("a refused process is left alone").isTrue();
  }

  @Test
  void aDeadPidATakenIndexAndTheDaemonItselfAreRefused() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor(10, TimeUnit.SECONDS);
    ProcessTemplate template = ProcessTemplate.of("true");
    Instant now = Instant.now();

    assertThatThrownBy(() -> sup.adopt("shop", "v1", 0, template, done.pid(), now, 8080))
        .isInstanceOfSatisfying(
            ReplicaAdoptionException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_RUNNING));
    long self = ProcessHandle.current().pid();
    assertThatThrownBy(() -> sup.adopt("shop", "v1", 0, template, self, now, 8080))
        .isInstanceOfSatisfying(
            ReplicaAdoptionException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_REPLICA));
    sup.scale("shop", "v1", ProcessTemplate.of(Fixtures.sh("exec sleep 30")), 1);
    assertThatThrownBy(() -> sup.adopt("shop", "v1", 0, template, self + 1, now, 8080))
        .isInstanceOfSatisfying(
            ReplicaAdoptionException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INDEX_TAKEN));
  }

  /** Starts {@code command} detached, as a dead daemon's replica would be, and returns its pid. */
  private long startOrphan(List<String> command, int port, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of("sh", "-c", "setsid \"$@\" >> \"$LOG\" 2>&1 < /dev/null & echo $!", "sh"));
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder
        .environment()
        .putAll(
            Map.of(
                "PORT", Integer.toString(port),
                "SLUICE_APP", "shop",
                "SLUICE_VERSION", "v1",
                "SLUICE_REPLICA", "0",
                "LOG", log.toString()));
    Process shell = builder.start();
    String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    try {
      shell.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long pid = Long.parseLong(out);
    outsiders.add(pid);
    eventually().until(() -> alive(pid));
    return pid;
  }

  private static int freePort() {
    return Fixtures.freePort();
  }
}
