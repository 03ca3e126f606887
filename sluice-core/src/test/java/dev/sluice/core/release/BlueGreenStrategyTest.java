package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.event.Event;
import dev.sluice.core.release.Observations.HookOutcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlueGreenStrategyTest {

  private static final String SPEC =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          progressDeadline: 1m
          strategy: {blueGreen: {scaleDownDelay: 30s}}
      """;

  /** A sim where v1 is stable and warm versions are gone. */
  private static Sim withStableV1(String yaml) throws Exception {
    Sim sim = new Sim(yaml);
    sim.deploy("v1");
    sim.healthy("v1", 2);
    sim.tick();
    if (sim.state.active().isPresent()) {
      sim.append(Commands.promote(sim.state, false, "test"));
      sim.tick();
    }
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    return sim;
  }

  @Test
  void firstReleaseStartsTheVersionAndSwitchesOnceEveryReplicaIsHealthy() throws Exception {
    Sim sim = new Sim(SPEC).deploy("v1");
    assertThat(sim.types()).containsExactly("ReleaseStarted", "ReplicasSet");
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(2);
    assertThat(sim.state.weights()).isEmpty();

    sim.unhealthy("v1", 2, 1, "replica 1: connection refused");
    sim.after(Duration.ofSeconds(5));
    assertThat(sim.state.active()).map(Release::phase).contains(ReleasePhase.STARTING);

    sim.healthy("v1", 2);
    sim.after(Duration.ofSeconds(1));
    assertThat(sim.typesSince(2)).containsExactly("VersionReady", "TrafficSet", "ReleaseSucceeded");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    assertThat(sim.state.active()).isEmpty();
  }

  @Test
  void oldVersionStaysWarmForScaleDownDelayThenStops() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
    assertThat(sim.state.versions()).containsKeys("v1", "v2");

    sim.after(Duration.ofSeconds(29));
    assertThat(sim.state.versions()).containsKey("v1");
    sim.after(Duration.ofSeconds(1));
    assertThat(sim.state.versions()).containsOnlyKeys("v2");
    assertThat(sim.log.get(sim.log.size() - 1).event())
        .isEqualTo(new Event.ReplicasSet("v1", 1, 0));
  }

  @Test
  void versionNotHealthyWithinProgressDeadlineFailsWithoutTouchingTraffic() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.after(Duration.ofMinutes(1)); // v1's warm predecessor: none; nothing happens
    sim.deploy("v2");
    sim.unhealthy("v2", 2, 1, "replica 0: GET /health: 503");
    sim.after(Duration.ofSeconds(59));
    assertThat(sim.state.active()).isPresent();
    sim.after(Duration.ofSeconds(1));

    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.FAILED);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "v2 was not healthy within progressDeadline 1m: 1 of 2 replicas healthy"
                + " (replica 0: GET /health: 503)");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
  }

  @Test
  void withAutoPromoteOffTheReleasePausesUntilPromoted() throws Exception {
    Sim sim = withStableV1(SPEC.replace("scaleDownDelay: 30s", "autoPromote: false"));
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.after(Duration.ofHours(2));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason())
        .isEqualTo("autoPromote is off: run 'sluice promote shop'");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));

    sim.append(Commands.promote(sim.state, false, "alice"));
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
  }

  @Test
  void failingPrePromotionHookFailsTheReleaseAndPassingOneLetsItSwitch() throws Exception {
    String spec = SPEC + "    hooks: {prePromotion: [{http: {path: /smoke}}]}\n";
    Sim sim = withStableV1Hooked(spec, true);
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    assertThat(sim.state.active().orElseThrow().phase()).isEqualTo(ReleasePhase.PRE_PROMOTION);
    assertThat(sim.state.active().orElseThrow().dueHooks()).isEqualTo("prePromotion");
    sim.hooks.add(new HookOutcome(2, "prePromotion", false, "GET /smoke: 500"));
    sim.tick();
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.FAILED);
    assertThat(sim.state.release().reason()).isEqualTo("prePromotion hook failed: GET /smoke: 500");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.versions()).containsOnlyKeys("v1");

    sim.deploy("v3");
    sim.healthy("v3", 2);
    sim.hooks.add(new HookOutcome(3, "prePromotion", true, "GET /smoke: 200"));
    sim.tick();
    assertThat(sim.state.stableVersion()).isEqualTo("v3");
  }

  private static Sim withStableV1Hooked(String spec, boolean pass) throws Exception {
    Sim sim = new Sim(spec);
    sim.deploy("v1");
    sim.healthy("v1", 2);
    sim.hooks.add(new HookOutcome(1, "prePromotion", pass, "ok"));
    sim.tick();
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    return sim;
  }

  @Test
  void aReplicaLostAfterTheChecksHoldsTheSwitch() throws Exception {
    Sim sim = withStableV1(SPEC.replace("scaleDownDelay: 30s", "autoPromote: false"));
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    sim.append(Commands.promote(sim.state, false, "alice"));
    sim.unhealthy("v2", 1, 1, "replica 1: exited with 137");
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    sim.healthy("v2", 2);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
  }

  @Test
  void rollbackWhileTheOldVersionIsWarmSwapsBackAtOnce() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    int before = sim.log.size();
    sim.append(Commands.rollback(sim.state, null, sim.spec, "bob"));
    sim.tick();
    assertThat(sim.typesSince(before)).containsExactly("RolledBack", "TrafficSet", "ReplicasSet");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
  }

  @Test
  void rollbackAfterTheOldVersionStoppedReleasesItsRevisionAgain() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    sim.after(Duration.ofMinutes(5));
    assertThat(sim.state.versions()).containsOnlyKeys("v2");
    assertThat(sim.health).containsOnlyKeys("v2");

    sim.append(Commands.rollback(sim.state, "v1", sim.spec, "bob"));
    Event.ReleaseStarted started = (Event.ReleaseStarted) sim.log.get(sim.log.size() - 1).event();
    assertThat(started.trigger()).isEqualTo("rollback");
    assertThat(started.version()).isEqualTo("v1");
    assertThat(started.revision()).isEqualTo(3);
    assertThat(started.spec()).isEqualTo(sim.state.history().get(1).spec());
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
    sim.healthy("v1", 2);
    sim.tick();
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
  }

  @Test
  void deployDuringAReleaseIsRefusedUnlessForced() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.deploy("v2");
    assertThatThrownBy(() -> Commands.deploy(sim.state, sim.spec, "v3", false, "carol"))
        .isInstanceOf(CommandException.class)
        .hasMessage(
            "release 2 of shop (v2) is in progress (Progressing); wait for it, stop it with"
                + " 'sluice abort shop', or deploy with --force")
        .extracting(e -> ((CommandException) e).kind())
        .isEqualTo(CommandException.Kind.CONFLICT);

    sim.append(Commands.deploy(sim.state, sim.spec, "v3", true, "carol"));
    sim.tick();
    assertThat(sim.state.active().orElseThrow().version()).isEqualTo("v3");
    assertThat(sim.state.versions()).containsOnlyKeys("v1", "v3");
  }

  @Test
  void commandsThatMakeNoSenseAreRefusedWithAReason() throws Exception {
    Sim sim = withStableV1(SPEC);
    assertThatThrownBy(() -> Commands.deploy(sim.state, sim.spec, "v1", false, "x"))
        .hasMessage("v1 is already the stable version of shop");
    assertThatThrownBy(() -> Commands.promote(sim.state, false, "x"))
        .hasMessage("no release of shop is in progress to promote");
    assertThatThrownBy(() -> Commands.rollback(sim.state, null, sim.spec, "x"))
        .hasMessage("shop has no earlier revision to roll back to");
    assertThatThrownBy(() -> Commands.rollback(sim.state, "v0", sim.spec, "x"))
        .hasMessage("to: \"v0\" (expected: a version among the last 10 revisions of shop: v1)");
    assertThatThrownBy(() -> Commands.deploy(sim.state, sim.spec, "bad version", false, "x"))
        .hasMessageStartingWith("version: \"bad version\" (expected: a version:");
  }

  @Test
  void replayingTheLogGivesTheSameStateAtEveryStep() throws Exception {
    Sim sim = withStableV1(SPEC);
    sim.deploy("v2");
    sim.healthy("v2", 2);
    sim.tick();
    sim.after(Duration.ofMinutes(1));
    sim.append(Commands.rollback(sim.state, null, sim.spec, "bob"));
    sim.tick();
    for (int i = 0; i <= sim.log.size(); i++) {
      AppState replayed = AppState.replay("shop", sim.log.subList(0, i));
      assertThat(replayed.seq()).isEqualTo(i);
    }
    assertThat(AppState.replay("shop", sim.log)).isEqualTo(sim.state);
  }

  @Test
  void applyRefusesAnEventOutOfSequence() throws Exception {
    Sim sim = withStableV1(SPEC);
    var records = sim.state.next(java.util.List.of(new Event.Paused("x")), sim.clock.instant());
    var skipped =
        new dev.sluice.core.event.EventRecord(
            "shop", records.get(0).seq() + 1, sim.clock.instant(), new Event.Paused("x"));
    assertThatThrownBy(() -> sim.state.apply(skipped)).isInstanceOf(IllegalArgumentException.class);
  }
}
