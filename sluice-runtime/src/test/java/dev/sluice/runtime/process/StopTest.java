package dev.sluice.runtime.process;

import static dev.sluice.runtime.process.Fixtures.alive;
import static dev.sluice.runtime.process.Fixtures.awaitHealth;
import static dev.sluice.runtime.process.Fixtures.awaitPidInLog;
import static dev.sluice.runtime.process.Fixtures.eventually;
import static dev.sluice.runtime.process.Fixtures.healthApp;
import static dev.sluice.runtime.process.Fixtures.read;
import static dev.sluice.runtime.process.Fixtures.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.runtime.process.ReplicaEvent.Exited;
import dev.sluice.runtime.process.ReplicaEvent.RestartScheduled;
import dev.sluice.runtime.process.ReplicaEvent.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StopTest {
  private static final Duration GRACE = Duration.ofMillis(400);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path logDir;

  private final RecordingListener events = new RecordingListener();
  private ProcessSupervisor sup;

  @BeforeEach
  void start() {
    sup = ProcessSupervisor.create(logDir, events);
  }

  @AfterEach
  void stop() {
    sup.close();
  }

  private static ProcessTemplate template(List<String> command, Duration grace) {
    return new ProcessTemplate(command, Map.of(), null, grace);
  }

  @Test
  void stopSendsSigtermWhichTheAppHonoursBeforeTheGraceRunsOut() throws Exception {
    Replica replica =
        sup.scale("shop", "v1", template(healthApp(), Duration.ofSeconds(20)), 1).get(0);
    awaitHealth(replica.port());

    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);

    Exited exited = events.of(Exited.class).get(0);
    assertThat(exited.expected()).isTrue();
    assertThat(exited.exitCode()).as("128 + SIGTERM").isEqualTo(OptionalInt.of(143));
    assertThat(exited.replica().state()).isEqualTo(ReplicaState.STOPPED);
    assertThat(read(replica.logFile())).contains("got SIGTERM, stopping");
    assertThat(alive(replica.pid())).isFalse();
  }

  @Test
  void anAppIgnoringSigtermIsKilledOnceTheStopGraceIsOver() throws Exception {
    Replica replica =
        sup.scale("shop", "v1", template(sh("trap '' TERM; echo ready; exec sleep 30"), GRACE), 1)
            .get(0);
    eventually().until(() -> read(replica.logFile()).contains("ready"));

    long started = System.nanoTime();
    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(events.of(Exited.class).get(0).exitCode())
        .as("128 + SIGKILL")
        .isEqualTo(OptionalInt.of(137));
    assertThat(took).as("SIGKILL waited for the grace").isGreaterThanOrEqualTo(GRACE);
    assertThat(alive(replica.pid())).isFalse();
  }

  @Test
  void stoppingAWrapperScriptLeavesNoOrphanBehind() throws Exception {
    // The child ignores SIGTERM while the wrapper dies of it: the child is re-parented to init
    // at once, and only its process group still ties it to the replica.
    String script = "(trap '' TERM; exec sleep 30) & echo \"child $!\"; wait";
    Replica replica = sup.scale("shop", "v1", template(sh(script), GRACE), 1).get(0);
    long child = awaitPidInLog(replica.logFile(), "child");
    assertThat(alive(child)).isTrue();

    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);

    assertThat(alive(replica.pid())).isFalse();
    assertThat(alive(child)).as("child of the wrapper").isFalse();
  }

  @Test
  void aChildThatLeftTheProcessGroupIsStillStoppedAsADescendant() throws Exception {
    // setsid puts the child in a session of its own; it was a descendant when the stop began.
    String script = "setsid sh -c \"trap '' TERM; exec sleep 30\" & echo \"child $!\"; wait";
    Replica replica = sup.scale("shop", "v1", template(sh(script), GRACE), 1).get(0);
    long child = awaitPidInLog(replica.logFile(), "child");
    eventually().until(() -> Fixtures.stat(child) != null && Fixtures.stat(child).pgrp() == child);

    sup.stop("shop", "v1").get(15, TimeUnit.SECONDS);

    assertThat(alive(replica.pid())).isFalse();
    assertThat(alive(child)).as("child in its own session").isFalse();
  }

  @Test
  void stopCompletesWhenEveryReplicaIsGoneAndTheVersionIsForgotten() throws Exception {
    List<Replica> replicas = sup.scale("shop", "v1", template(sh("exec sleep 30"), GRACE), 2);
    sup.scale("shop", "v2", template(sh("exec sleep 30"), GRACE), 1);

    CompletableFuture<Void> stopped = sup.stop("shop", "v1");
    stopped.get(15, TimeUnit.SECONDS);

    assertThat(replicas).allSatisfy(r -> assertThat(alive(r.pid())).isFalse());
    assertThat(sup.replicas("shop", "v1")).isEmpty();
    assertThat(sup.endpoints("shop", "v1")).isEmpty();
    assertThat(sup.replicas())
        .singleElement()
        .satisfies(r -> assertThat(r.version()).isEqualTo("v2"));
    assertThat(events.of(Exited.class)).hasSize(2).allMatch(Exited::expected);
    assertThat(sup.stop("shop", "nothing").get(1, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aReplicaStoppedDuringItsBackoffIsNotRestartedAndReportsItsEnd() throws Exception {
    RecordingListener own = new RecordingListener();
    RestartBackoff slow =
        new RestartBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(1));
    try (ProcessSupervisor slowSup =
        ProcessSupervisor.create(logDir, own, SupervisorOptions.DEFAULT.withBackoff(slow))) {
      Replica replica = slowSup.scale("shop", "v1", template(sh("exec sleep 30"), GRACE), 1).get(0);
      Fixtures.killHard(replica.pid());
      eventually().until(() -> !own.of(RestartScheduled.class).isEmpty());

      slowSup.stop("shop", "v1").get(15, TimeUnit.SECONDS);

      assertThat(own.of(Exited.class))
          .extracting(Exited::expected, Exited::exitCode)
          .containsExactly(tuple(false, OptionalInt.of(137)), tuple(true, OptionalInt.empty()));
      assertThat(own.of(Started.class)).hasSize(1);
      assertThat(slowSup.replicas()).isEmpty();
    }
  }

  @Test
  void closeStopsEveryReplicaOfEveryVersion() {
    List<Replica> v1 = sup.scale("shop", "v1", template(sh("exec sleep 30"), GRACE), 2);
    List<Replica> v2 = sup.scale("cart", "v2", template(sh("exec sleep 30"), GRACE), 1);

    sup.close();

    assertThat(v1).allSatisfy(r -> assertThat(alive(r.pid())).isFalse());
    assertThat(v2).allSatisfy(r -> assertThat(alive(r.pid())).isFalse());
    assertThat(sup.replicas()).isEmpty();
    assertThatThrownBy(() -> sup.stop("shop", "v1")).isInstanceOf(IllegalStateException.class);
  }
}
