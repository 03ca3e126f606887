package dev.sluice.runtime.process;

import static dev.sluice.runtime.process.Fixtures.alive;
import static dev.sluice.runtime.process.Fixtures.awaitHealth;
import static dev.sluice.runtime.process.Fixtures.awaitPidInLog;
import static dev.sluice.runtime.process.Fixtures.eventually;
import static dev.sluice.runtime.process.Fixtures.healthApp;
import static dev.sluice.runtime.process.Fixtures.killHard;
import static dev.sluice.runtime.process.Fixtures.sh;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.runtime.process.Fixtures.ManualClock;
import dev.sluice.runtime.process.ReplicaEvent.Exited;
import dev.sluice.runtime.process.ReplicaEvent.RestartScheduled;
import dev.sluice.runtime.process.ReplicaEvent.StartFailed;
import dev.sluice.runtime.process.ReplicaEvent.Started;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestartTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path logDir;

  private final RecordingListener events = new RecordingListener();
  private final ManualClock clock = new ManualClock();
  private ProcessSupervisor sup;

  private ProcessSupervisor supervisor(RestartBackoff backoff) {
    sup =
        ProcessSupervisor.create(
            logDir,
            events,
            SupervisorOptions.DEFAULT
                .withClock(clock)
                .withBackoff(backoff)
                .withPorts(Fixtures.TEST_PORTS));
    return sup;
  }

  @AfterEach
  void stop() {
    if (sup != null) {
      sup.close();
    }
  }

  @Test
  void aReplicaKilledWithSigkillIsRestartedOnItsPortAfterTheBackoffDelay() {
    supervisor(
        new RestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(1)));
    Replica first = sup.scale("shop", "v1", ProcessTemplate.of(healthApp()), 1).get(0);
    assertThat(Fixtures.TEST_PORTS.contains(first.port())).isTrue();
    awaitHealth(first.port());

    killHard(first.pid());

    eventually().until(() -> events.of(Started.class).size() == 2);
    Exited exited = events.of(Exited.class).get(0);
    assertThat(exited.expected()).isFalse();
    assertThat(exited.exitCode()).isEqualTo(OptionalInt.of(137));
    assertThat(exited.replica().pid()).isEqualTo(first.pid());
    RestartScheduled scheduled = events.of(RestartScheduled.class).get(0);
    assertThat(scheduled.attempt()).isEqualTo(1);
    assertThat(scheduled.delay()).isEqualTo(Duration.ofMillis(200));
    Replica second = events.of(Started.class).get(1).replica();
    assertThat(second.port()).isEqualTo(first.port());
    assertThat(second.pid()).isNotEqualTo(first.pid());
    assertThat(second.restarts()).isEqualTo(1);
    assertThat(awaitHealth(second.port())).contains("pid=" + second.pid());
    assertThat(sup.replicas("shop", "v1")).containsExactly(second);
    assertThat(events.all())
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Started", "Exited", "RestartScheduled", "Started");
  }

  @Test
  void theBackoffDoublesOnEachCrashUpToItsMaximumAndResetsAfterALongRun() {
    supervisor(
        new RestartBackoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(1)));
    sup.scale("shop", "v1", ProcessTemplate.of(sh("exec sleep 30")), 1);

    for (int crash = 1; crash <= 4; crash++) {
      crashAndAwaitRestart(crash);
    }
    clock.advance(Duration.ofSeconds(61)); // the current process now "ran" for over a minute
    crashAndAwaitRestart(5);

    assertThat(events.of(RestartScheduled.class))
        .extracting(RestartScheduled::delay)
        .containsExactly(
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(200),
            Duration.ofMillis(50));
    assertThat(events.of(RestartScheduled.class))
        .extracting(RestartScheduled::attempt)
        .containsExactly(1, 2, 3, 4, 1);
    assertThat(sup.replicas("shop", "v1").get(0).restarts()).isEqualTo(5);
    List<Integer> ports = events.of(Started.class).stream().map(e -> e.replica().port()).toList();
    assertThat(ports.get(1)).as("first restart: same port").isEqualTo(ports.get(0));
    assertThat(ports.get(2)).as("it died again: a fresh port").isNotEqualTo(ports.get(1));
    assertThat(ports.get(3)).isNotEqualTo(ports.get(2));
    assertThat(ports.get(5)).as("after a long run: same port again").isEqualTo(ports.get(4));
  }

  private void crashAndAwaitRestart(int crash) {
    long pid = sup.replicas("shop", "v1").get(0).pid();
    killHard(pid);
    eventually().until(() -> events.of(Started.class).size() == crash + 1);
  }

  @Test
  void aRestartMovesToANewPortWhenSomeoneTookTheOldOne() throws IOException {
    supervisor(
        new RestartBackoff(Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofMinutes(1)));
    Replica first = sup.scale("shop", "v1", ProcessTemplate.of(sh("exec sleep 30")), 1).get(0);

    try (ServerSocket squatter = new ServerSocket()) {
      squatter.setReuseAddress(true);
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), first.port()));
      killHard(first.pid());
      eventually().until(() -> events.of(Started.class).size() == 2);
    }

    Replica second = events.of(Started.class).get(1).replica();
    assertThat(second.port()).isNotEqualTo(first.port()).isPositive();
    assertThat(sup.endpoints("shop", "v1"))
        .singleElement()
        .satisfies(e -> assertThat(e.port()).isEqualTo(second.port()));
  }

  @Test
  void whenAWrapperDiesItsOrphanedChildIsKilledBeforeTheRestart() {
    supervisor(
        new RestartBackoff(Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofMinutes(1)));
    Replica first =
        sup.scale("shop", "v1", ProcessTemplate.of(sh("sleep 30 & echo \"child $!\"; wait")), 1)
            .get(0);
    Path log = first.logFile();
    long child = awaitPidInLog(log, "child");
    assertThat(alive(child)).isTrue();

    killHard(first.pid());

    eventually().until(() -> events.of(Started.class).size() == 2);
    assertThat(alive(child)).as("orphaned child of the dead wrapper").isFalse();
    assertThat(alive(events.of(Started.class).get(1).replica().pid())).isTrue();
  }

  @Test
  void aRestartThatCannotFindItsProgramSaysWhyAndKeepsTrying() throws IOException {
    supervisor(
        new RestartBackoff(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMinutes(1)));
    Path script = logDir.resolve("app.sh");
    Files.writeString(script, "#!/bin/sh\nexec sleep 30\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Replica first = sup.scale("shop", "v1", ProcessTemplate.of(script.toString()), 1).get(0);
    Path moved = logDir.resolve("app.sh.away");
    Files.move(script, moved);

    killHard(first.pid());

    eventually().until(() -> events.of(StartFailed.class).size() >= 2);
    assertThat(events.of(StartFailed.class).get(0).reason())
        .contains("command[0]: '" + script + "'");
    assertThat(sup.replicas("shop", "v1").get(0).state()).isEqualTo(ReplicaState.BACKOFF);
    assertThat(sup.endpoints("shop", "v1")).isEmpty();
    assertThat(Fixtures.read(first.logFile())).contains("could not start: command[0]");

    Files.move(moved, script);

    eventually().until(() -> events.of(Started.class).size() == 2);
    List<ReplicaState> states = sup.replicas("shop", "v1").stream().map(Replica::state).toList();
    assertThat(states).containsExactly(ReplicaState.RUNNING);
  }
}
