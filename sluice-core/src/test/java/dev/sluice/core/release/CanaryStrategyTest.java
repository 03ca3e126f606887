package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.event.Event;
import dev.sluice.core.release.Observations.HookOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CanaryStrategyTest {

  private static final String SPEC =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 4}}
          progressDeadline: 1m
          strategy:
            canary:
              scaleDownDelay: 30s
              steps:
                - setWeight: 10
                - pause: {duration: 30s}
                - setWeight: 50
                - pause: {}
      """;

  private static Sim stableV1(String yaml) throws Exception {
    Sim sim = new Sim(yaml);
    sim.deploy("v1");
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    sim.after(Duration.ofMinutes(5));
    return sim;
  }

  private static List<String> described(Sim sim, int from) {
    return sim.log.subList(from, sim.log.size()).stream().map(r -> r.event().describe()).toList();
  }

  @Test
  void aFirstReleaseSkipsTheStepsAndTakesAllTraffic() throws Exception {
    Sim sim = new Sim(SPEC).deploy("v1");
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(described(sim, 0))
        .containsExactly(
            "release 1 of v1 started (canary, deploy, first release)",
            "step 5: promotion",
            "v1 runs 4 replicas",
            "traffic v1 100%",
            "v1 is stable");
  }

  @Test
  void stepsSetWeightsWaitForPausesAndPromoteAtTheEnd() throws Exception {
    Sim sim = stableV1(SPEC);
    int before = sim.log.size();
    sim.deploy("v2");
    // setWeight 10: one canary replica (ceil 4 * 10%), weight only once it is healthy
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(1);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    sim.healthy("v2", 1);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 90, "v2", 10));
    assertThat(sim.state.active().orElseThrow().step()).isEqualTo(1);

    sim.after(Duration.ofSeconds(29));
    assertThat(sim.state.active().orElseThrow().step()).isEqualTo(1);
    sim.after(Duration.ofSeconds(1));
    // setWeight 50: two replicas first
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(2);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 90, "v2", 10));
    sim.healthy("v2", 2);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason()).isEqualTo("step 4 waits for 'sluice promote shop'");

    sim.after(Duration.ofHours(3));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    sim.append(Commands.promote(sim.state, false, "alice"));
    sim.tick();
    // promotion: full size first, then all traffic
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(4);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    sim.healthy("v2", 4);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
    assertThat(sim.state.versions().get("v1").retireAt()).isNotNull();
    assertThat(described(sim, before))
        .containsSubsequence(
            "release 2 of v2 started (canary, deploy, from v1)",
            "v2 runs 1 replica",
            "traffic v1 90% / v2 10%",
            "step 2: pause 30s",
            "step 3: setWeight 50",
            "v2 runs 2 replicas",
            "traffic v1 50% / v2 50%",
            "step 4: pause until promoted",
            "paused: step 4 waits for 'sluice promote shop'",
            "promotion requested by alice",
            "step 5: promotion",
            "v2 runs 4 replicas",
            "traffic v2 100%",
            "v2 is stable");
  }

  @Test
  void theStableVersionKeepsItsFullSizeSoAbortIsOneSwap() throws Exception {
    Sim sim = stableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 1);
    sim.tick();
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(4);
    int before = sim.log.size();
    sim.append(Commands.abort(sim.state, "bob"));
    sim.tick();
    assertThat(described(sim, before))
        .containsExactly(
            "release aborted: aborted by bob", "traffic v1 100%", "v2 stops after draining");
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ABORTED);
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
  }

  @Test
  void promoteFullSkipsTheRemainingSteps() throws Exception {
    Sim sim = stableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 1);
    sim.tick();
    sim.append(Commands.promote(sim.state, true, "alice"));
    sim.tick();
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PROMOTING);
    sim.healthy("v2", 4);
    sim.tick();
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
  }

  @Test
  void canaryReplicasFixesTheCanarySize() throws Exception {
    Sim sim =
        stableV1(
            SPEC.replace("scaleDownDelay: 30s", "scaleDownDelay: 30s\n        canaryReplicas: 3"));
    sim.deploy("v2");
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(3);
  }

  @Test
  void aCanaryThatNeverGetsHealthyIsRolledBackAfterTheDeadline() throws Exception {
    Sim sim = stableV1(SPEC);
    sim.deploy("v2");
    sim.unhealthy("v2", 1, 0, "replica 0: GET /health: 500");
    sim.after(Duration.ofSeconds(59));
    assertThat(sim.state.active()).isPresent();
    sim.after(Duration.ofSeconds(1));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "v2 was not healthy within progressDeadline 1m: 0 replicas healthy (replica 0: GET"
                + " /health: 500)");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
  }

  @Test
  void aGateWaitsForItsUrlAndRollsBackAfterItsTimeout() throws Exception {
    String spec =
        SPEC.replace(
            "- pause: {duration: 30s}",
            "- gate: {http: \"http://127.0.0.1:9/approve\", timeout: 10m}");
    Sim sim = stableV1(spec);
    sim.deploy("v2");
    sim.healthy("v2", 1);
    sim.tick();
    assertThat(sim.state.active().orElseThrow().step()).isEqualTo(1);
    sim.after(Duration.ofMinutes(5));
    assertThat(sim.state.active().orElseThrow().step()).isEqualTo(1);

    Sim opened = stableV1(spec);
    opened.deploy("v2");
    opened.healthy("v2", 1);
    opened.tick();
    opened.state =
        Decider.settle(
            opened.state,
            new Observations(
                opened.health, List.of(), Set.of(Observations.gateKey(2, 1)), Map.of()),
            opened.clock.instant(),
            (b, e) -> opened.append(e));
    assertThat(opened.state.active().orElseThrow().step()).isEqualTo(2);

    sim.after(Duration.ofMinutes(5));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.release().reason())
        .isEqualTo("gate http://127.0.0.1:9/approve did not answer 200 within 10m");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
  }

  @Test
  void aRollbackWithinTheRollbackWindowSkipsTheSteps() throws Exception {
    Sim sim =
        stableV1(
            SPEC.replace("scaleDownDelay: 30s", "scaleDownDelay: 0s\n        rollbackWindow: 2"));
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    sim.append(Commands.promote(sim.state, true, "t"));
    sim.tick();
    sim.healthy("v2", 4);
    sim.tick();
    sim.after(Duration.ofSeconds(1));
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
    assertThat(sim.state.versions()).containsOnlyKeys("v2");

    sim.append(Commands.rollback(sim.state, "v1", sim.spec, "bob"));
    Event.ReleaseStarted started = (Event.ReleaseStarted) sim.log.get(sim.log.size() - 1).event();
    assertThat(started.skipSteps()).isTrue();
    sim.tick();
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PROMOTING);
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(4);
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
  }

  @Test
  void failingPrePromotionHooksFailTheReleaseBeforeFullTraffic() throws Exception {
    Sim sim = new Sim(SPEC + "    hooks: {prePromotion: [{run: [check]}]}\n");
    sim.hooks.add(new HookOutcome(1, "prePromotion", true, "ok"));
    sim.deploy("v1");
    sim.healthy("v1", 4);
    sim.tick();
    assertThat(sim.state.stableVersion()).as(described(sim, 0).toString()).isEqualTo("v1");
    sim.deploy("v2");
    sim.append(Commands.promote(sim.state, true, "t"));
    sim.tick();
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PRE_PROMOTION);
    sim.hooks.add(new HookOutcome(2, "prePromotion", false, "check: exit status 1"));
    sim.tick();
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.FAILED);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
  }
}
