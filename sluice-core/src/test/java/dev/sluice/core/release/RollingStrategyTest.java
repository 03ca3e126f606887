package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollingStrategyTest {

  private static String spec(String surge, String unavailable) {
    return """
        apps:
          - name: shop
            listen: 127.0.0.1:8080
            runtime: {process: {command: [app], replicas: 4}}
            progressDeadline: 1m
            strategy: {rolling: {maxSurge: %s, maxUnavailable: %s}}
        """
        .formatted(surge, unavailable);
  }

  private static Sim stableV1(String yaml) throws Exception {
    Sim sim = new Sim(yaml);
    sim.deploy("v1");
    sim.healthy("v1", 4);
    sim.tick();
    sim.tick();
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    return sim;
  }

  /** Marks every desired replica healthy (they start instantly) and ticks; returns the counts. */
  private static String settleBatch(Sim sim) throws Exception {
    for (var v : sim.state.versions().values()) {
      sim.healthy(v.version(), v.replicas());
    }
    sim.tick();
    VersionStateView o = view(sim, "v1");
    VersionStateView n = view(sim, "v2");
    return "v1="
        + o.replicas
        + " v2="
        + n.replicas
        + " "
        + new java.util.TreeMap<>(sim.state.weights());
  }

  private record VersionStateView(int replicas) {}

  private static VersionStateView view(Sim sim, String v) {
    var s = sim.state.versions().get(v);
    return new VersionStateView(s == null ? 0 : s.replicas());
  }

  @Test
  void maxSurgeOneMaxUnavailableZeroReplacesOneAtATimeNeverBelowFullSize() throws Exception {
    Sim sim = stableV1(spec("1", "0"));
    sim.deploy("v2");
    List<String> batches = new ArrayList<>();
    batches.add("v1=" + view(sim, "v1").replicas + " v2=" + view(sim, "v2").replicas);
    for (int i = 0; i < 6 && sim.state.active().isPresent(); i++) {
      // the old replicas never go below 4 minus the new healthy ones
      batches.add(settleBatch(sim));
    }
    assertThat(batches)
        .containsExactly(
            "v1=4 v2=1",
            "v1=3 v2=2 {v1=75, v2=25}",
            "v1=2 v2=3 {v1=50, v2=50}",
            "v1=1 v2=4 {v1=25, v2=75}",
            "v1=0 v2=4 {v2=100}");
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
  }

  @Test
  void defaultsReplaceTwoAtATimeWithFourReplicas() throws Exception {
    Sim sim = stableV1(spec("25%", "25%"));
    sim.deploy("v2");
    assertThat(view(sim, "v2").replicas()).isEqualTo(2);
    assertThat(view(sim, "v1").replicas()).isEqualTo(3);
  }

  @Test
  void aNewVersionThatNeverGetsHealthyIsGivenUpAndTheOldOneRestored() throws Exception {
    Sim sim = stableV1(spec("1", "1"));
    sim.deploy("v2");
    assertThat(view(sim, "v1").replicas()).isEqualTo(3);
    sim.unhealthy("v2", 2, 0, "replica 0: exited with 1");
    sim.after(Duration.ofSeconds(61));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.release().reason())
        .startsWith("no batch completed within progressDeadline 1m: v2 0/2 healthy");
    assertThat(view(sim, "v1").replicas()).isEqualTo(4);
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
  }

  @Test
  void abortMidwayScalesTheOldVersionBackUpBeforeItTakesAllTraffic() throws Exception {
    Sim sim = stableV1(spec("1", "0"));
    sim.deploy("v2");
    settleBatch(sim);
    settleBatch(sim);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    sim.append(Commands.abort(sim.state, "bob"));
    sim.unhealthy("v1", 2, 2, "");
    sim.tick();
    assertThat(view(sim, "v1").replicas()).isEqualTo(4);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    sim.tick();
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
  }

  @Test
  void proportionalWeightsFollowHealthyReplicas() {
    assertThat(RollingStrategy.proportional("a", 3, "b", 1)).isEqualTo(Map.of("a", 75, "b", 25));
    assertThat(RollingStrategy.proportional("a", 0, "b", 2)).isEqualTo(Map.of("b", 100));
    assertThat(RollingStrategy.proportional("a", 0, "b", 0)).isEmpty();
    assertThat(RollingStrategy.proportional("a", 2, "b", 1)).isEqualTo(Map.of("a", 67, "b", 33));
  }
}
