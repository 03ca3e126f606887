package dev.sluice.runtime.process;

import static dev.sluice.runtime.process.Fixtures.alive;
import static dev.sluice.runtime.process.Fixtures.awaitHealth;
import static dev.sluice.runtime.process.Fixtures.eventually;
import static dev.sluice.runtime.process.Fixtures.healthApp;
import static dev.sluice.runtime.process.Fixtures.read;
import static dev.sluice.runtime.process.Fixtures.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.runtime.Endpoint;
import dev.sluice.runtime.process.ReplicaEvent.Exited;
import dev.sluice.runtime.process.ReplicaEvent.Started;
import dev.sluice.runtime.process.internal.ProcStat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessSupervisorTest {
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

  @Test
  void replicasStartOnDistinctFreePortsWithTheirEnvironmentAndAnswerHttp() {
    ProcessTemplate template =
        new ProcessTemplate(
            healthApp("release-${version}"), Map.of("EXTRA", "1"), null, Duration.ofSeconds(10));

    List<Replica> replicas = sup.scale("shop", "v2", template, 2);

    assertThat(replicas).extracting(Replica::index).containsExactly(0, 1);
    assertThat(replicas).extracting(Replica::state).containsOnly(ReplicaState.RUNNING);
    assertThat(replicas).extracting(Replica::port).doesNotHaveDuplicates().allMatch(p -> p > 0);
    for (Replica r : replicas) {
      assertThat(r.host()).isEqualTo("127.0.0.1");
      assertThat(r.startInstant()).isNotNull();
      String body = awaitHealth(r.port());
      assertThat(body)
          .contains("app=shop", "version=v2", "replica=" + r.index(), "extra=1")
          .contains("port=" + r.port(), "args=release-v2")
          // The pid the app reports is the one the supervisor knows: setsid did not fork.
          .contains("pid=" + r.pid());
      ProcStat stat = Fixtures.stat(r.pid());
      assertThat(stat).isNotNull();
      assertThat(stat.pgrp()).as("own process group").isEqualTo(r.pid());
    }
    assertThat(sup.endpoints("shop", "v2"))
        .containsExactly(
            new Endpoint("shop/v2/0", "127.0.0.1", replicas.get(0).port()),
            new Endpoint("shop/v2/1", "127.0.0.1", replicas.get(1).port()));
    assertThat(events.of(Started.class))
        .extracting(e -> e.replica().pid())
        .containsExactlyInAnyOrder(replicas.get(0).pid(), replicas.get(1).pid());
  }

  @Test
  void stdoutAndStderrOfEachReplicaAreAppendedToItsOwnLogFile() {
    ProcessTemplate template =
        ProcessTemplate.of(
            sh(
                "echo \"out of $SLUICE_REPLICA\"; echo \"err of $SLUICE_REPLICA\" >&2; exec sleep 30"));

    sup.scale("shop", "v1", template, 2);

    Path log0 = logDir.resolve("shop/v1/0.log");
    Path log1 = logDir.resolve("shop/v1/1.log");
    assertThat(sup.logFile("shop", "v1", 0)).isEqualTo(log0);
    assertThat(sup.replicas("shop", "v1")).extracting(Replica::logFile).containsExactly(log0, log1);
    eventually().until(() -> read(log0).contains("err of 0") && read(log1).contains("err of 1"));
    assertThat(read(log0)).contains("out of 0").doesNotContain("of 1");
    assertThat(read(log1)).contains("out of 1").doesNotContain("of 0");
  }

  @Test
  void scalingDownStopsTheHighestIndexFirstAndScalingUpAddsTheMissingOnes() {
    ProcessTemplate template = ProcessTemplate.of(sh("exec sleep 30"));
    List<Replica> three = sup.scale("shop", "v1", template, 3);
    long pid0 = three.get(0).pid();
    long pid1 = three.get(1).pid();
    long pid2 = three.get(2).pid();

    List<Replica> two = sup.scale("shop", "v1", template, 2);

    assertThat(two).extracting(Replica::pid).containsExactly(pid0, pid1);
    eventually().until(() -> sup.replicas("shop", "v1").size() == 2);
    assertThat(alive(pid2)).isFalse();
    assertThat(events.of(Exited.class))
        .singleElement()
        .satisfies(e -> assertThat(e.replica().index()).isEqualTo(2))
        .satisfies(e -> assertThat(e.expected()).isTrue());

    sup.scale("shop", "v1", template, 1);
    eventually().until(() -> sup.replicas("shop", "v1").size() == 1);
    assertThat(alive(pid1)).isFalse();
    assertThat(alive(pid0)).isTrue();

    List<Replica> back = sup.scale("shop", "v1", template, 3);

    assertThat(back).extracting(Replica::index).containsExactly(0, 1, 2);
    assertThat(back.get(0).pid()).isEqualTo(pid0);
    assertThat(back.get(1).pid()).isNotIn(pid1, pid2);
    assertThat(back).extracting(Replica::state).containsOnly(ReplicaState.RUNNING);
    assertThat(back.subList(1, 3)).allSatisfy(r -> assertThat(alive(r.pid())).isTrue());
  }

  @Test
  void aMissingProgramIsRefusedWithItsNameAndNothingIsStarted() {
    ProcessTemplate template = ProcessTemplate.of("no-such-program-sluice", "x");

    assertThatThrownBy(() -> sup.scale("shop", "v1", template, 1))
        .isInstanceOf(ReplicaStartException.class)
        .hasMessageContaining("command[0]: 'no-such-program-sluice'");
    assertThat(sup.replicas()).isEmpty();
    assertThat(events.all()).isEmpty();
  }

  @Test
  void namesThatCannotBeDirectoryNamesAreRefused() {
    ProcessTemplate template = ProcessTemplate.of(sh("exec sleep 30"));

    assertThatThrownBy(() -> sup.scale("../etc", "v1", template, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("app: '../etc' (expected:");
    assertThatThrownBy(() -> sup.scale("shop", "v/1", template, 1))
        .hasMessageStartingWith("version: 'v/1'");
    assertThatThrownBy(() -> sup.scale("shop", "v1", template, -1))
        .hasMessage("replicas: -1 (expected: zero or more)");
  }

  @Test
  void aSupervisorThatWasClosedRefusesNewWork() {
    sup.close();

    assertThatThrownBy(() -> sup.scale("shop", "v1", ProcessTemplate.of("true"), 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
