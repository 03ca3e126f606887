package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every store must do, run against each kind of store (SQLite and PostgreSQL, each in its own
 * subclass), with the real database.
 */
abstract class StoreContract {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** A fresh, empty store. */
  abstract Store store();

  /** The same store opened again (a restart). */
  abstract Store reopen();

  static AppSpec spec() throws Exception {
    return SpecParser.parse(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:0
                runtime: {process: {command: [app, "${version}"], replicas: 2}}
            """,
            "test.yaml")
        .apps()
        .get(0);
  }

  @Test
  void eventsComeBackInOrderWithTheirTypesAndFields() throws Exception {
    Store store = store();
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    List<EventRecord> records = s.next(events, T0);
    s = s.applyAll(events, T0);
    store.append(records, s.release());
    List<Event> more =
        List.of(
            new Event.ReplicasSet("v1", 1, 2),
            new Event.TrafficSet(Map.of("v1", 100)),
            new Event.ReleaseSucceeded("v1"));
    List<EventRecord> moreRecords = s.next(more, T0.plusSeconds(5));
    s = s.applyAll(more, T0.plusSeconds(5));
    store.append(moreRecords, s.release());

    assertThat(store.apps()).containsExactly("shop");
    assertThat(store.lastSeq("shop")).isEqualTo(4);
    List<EventRecord> read = store.events("shop");
    assertThat(read).hasSize(4);
    assertThat(read.get(0)).isEqualTo(records.get(0));
    assertThat(read.subList(1, 4)).isEqualTo(moreRecords);
    assertThat(store.events("shop", 2, 1)).containsExactly(moreRecords.get(1));
    assertThat(AppState.replay("shop", read)).isEqualTo(s);
  }

  @Test
  void anAppendThatDoesNotFollowTheLogWritesNothing() throws Exception {
    Store store = store();
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    store.append(s.next(events, T0), null);
    // a second writer that did not see the first append
    assertThatThrownBy(() -> store.append(s.next(List.of(new Event.Paused("x")), T0), null))
        .isInstanceOf(ConcurrentAppendException.class)
        .hasMessage("event shop#1 does not follow #1");
    assertThat(store.events("shop")).hasSize(1);
  }

  @Test
  void releasesAreProjectedWithTheirLatestStatus() throws Exception {
    Store store = store();
    AppState s = AppState.empty("shop");
    List<Event> e1 = Commands.deploy(s, spec(), "v1", false, "test");
    List<EventRecord> r1 = s.next(e1, T0);
    s = s.applyAll(e1, T0);
    store.append(r1, s.release());
    assertThat(store.releases("shop"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.revision()).isEqualTo(1);
              assertThat(r.version()).isEqualTo("v1");
              assertThat(r.status()).isEqualTo("Progressing");
              assertThat(r.strategy()).isEqualTo("blueGreen");
              assertThat(r.spec()).isEqualTo(spec().snapshot());
            });
    List<Event> e2 = List.of(new Event.ReleaseFailed("not healthy"));
    List<EventRecord> r2 = s.next(e2, T0.plusSeconds(60));
    s = s.applyAll(e2, T0.plusSeconds(60));
    store.append(r2, s.release());
    ReleaseRecord r = store.releases("shop").get(0);
    assertThat(r.status()).isEqualTo("Failed");
    assertThat(r.reason()).isEqualTo("not healthy");
    assertThat(r.startedAt()).isEqualTo(T0);
    assertThat(r.updatedAt()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void aBatchThatEndsOneReleaseAndStartsTheNextProjectsBoth() throws Exception {
    Store store = store();
    AppState s = AppState.empty("shop");
    List<Event> first = Commands.deploy(s, spec(), "v1", false, "test");
    store.append(s.next(first, T0), s.applyAll(first, T0).release());
    s = s.applyAll(first, T0);
    List<Event> forced = Commands.deploy(s, spec(), "v2", true, "test");
    AppState after = s.applyAll(forced, T0.plusSeconds(1));
    Release aborted = s.applyAll(forced.subList(0, 1), T0.plusSeconds(1)).release();
    store.appendProjecting(s.next(forced, T0.plusSeconds(1)), List.of(aborted, after.release()));
    List<ReleaseRecord> releases = store.releases("shop");
    assertThat(releases).extracting(ReleaseRecord::revision).containsExactly(2, 1);
    assertThat(releases.get(0).status()).isEqualTo("Progressing");
    assertThat(releases.get(1).status()).isEqualTo("Aborted");
    assertThat(releases.get(1).reason()).isEqualTo("replaced by a deploy of v2 by test");
  }

  @Test
  void everythingSurvivesAReopen() throws Exception {
    Store store = store();
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    store.append(s.next(events, T0), s.applyAll(events, T0).release());
    store.putInstance(new InstanceRecord("shop", "v1", 0, 4242, 41000, T0));
    store.close();

    Store again = reopen();
    assertThat(again.events("shop")).hasSize(1);
    assertThat(again.releases("shop")).hasSize(1);
    assertThat(again.instances())
        .containsExactly(new InstanceRecord("shop", "v1", 0, 4242, 41000, T0));
  }

  @Test
  void instancesAreRecordedReplacedAndForgotten() {
    Store store = store();
    store.putInstance(new InstanceRecord("shop", "v1", 0, 1, 41000, T0));
    store.putInstance(new InstanceRecord("shop", "v1", 1, 2, 41001, T0));
    store.putInstance(new InstanceRecord("shop", "v1", 0, 3, 41002, T0.plusSeconds(1)));
    assertThat(store.instances())
        .containsExactly(
            new InstanceRecord("shop", "v1", 0, 3, 41002, T0.plusSeconds(1)),
            new InstanceRecord("shop", "v1", 1, 2, 41001, T0));
    store.removeInstance("shop", "v1", 0);
    assertThat(store.instances()).extracting(InstanceRecord::index).containsExactly(1);
  }

  @Test
  void tokensAreAddedFoundByHashListedAndRevoked() {
    Store store = store();
    TokenRecord ci = new TokenRecord("ci", "operator", "a".repeat(64), T0, null);
    assertThat(store.addToken(ci)).isTrue();
    assertThat(store.addToken(new TokenRecord("ci", "admin", "b".repeat(64), T0, null))).isFalse();
    assertThat(store.addToken(new TokenRecord("web", "client", "c".repeat(64), T0, null))).isTrue();
    assertThat(store.tokenByHash("a".repeat(64))).contains(ci);
    assertThat(store.tokenByHash("d".repeat(64))).isEmpty();
    assertThat(store.tokens()).extracting(TokenRecord::name).containsExactly("ci", "web");
    assertThat(store.revokeToken("ci", T0.plusSeconds(9))).isTrue();
    assertThat(store.revokeToken("ci", T0.plusSeconds(10))).isFalse();
    assertThat(store.tokenByHash("a".repeat(64)).orElseThrow().revokedAt())
        .isEqualTo(T0.plusSeconds(9));
  }

  @Test
  void aTokenKeepsItsFlagEnvironment() {
    Store store = store();
    TokenRecord web = new TokenRecord("web", "client", "e".repeat(64), T0, null, "production");
    assertThat(store.addToken(web)).isTrue();
    assertThat(store.tokenByHash("e".repeat(64))).contains(web);
    assertThat(store.tokens()).containsExactly(web);
  }

  static FlagVersionRecord flagVersion(long version, String action, String document) {
    return new FlagVersionRecord(
        version, T0.plusSeconds(version), "ci", action, action + " " + version, document);
  }

  @Test
  void flagVersionsAreStoredInOrderWithTheChangesOfEachFlag() {
    Store store = store();
    assertThat(store.latestFlagVersion()).isEmpty();
    FlagVersionRecord v1 = flagVersion(1, "import", "{\"flags\": {\"a\": 1}}");
    store.appendFlagVersion(
        v1,
        List.of(
            FlagChangeRecord.of(v1, "a", null, "{\"state\":\"ENABLED\"}"),
            FlagChangeRecord.of(v1, "b", null, "{\"state\":\"ENABLED\"}")));
    FlagVersionRecord v2 = flagVersion(2, "disable", "{\"flags\": {\"a\": 2}}");
    store.appendFlagVersion(
        v2,
        List.of(
            FlagChangeRecord.of(v2, "a", "{\"state\":\"ENABLED\"}", "{\"state\":\"DISABLED\"}")));
    FlagVersionRecord v3 = flagVersion(3, "file", "{\"flags\": {}}");
    store.appendFlagVersion(v3, List.of(FlagChangeRecord.of(v3, "b", "{}", null)));

    assertThat(store.latestFlagVersion()).contains(v3);
    assertThat(store.latestFlagVersion("disable")).contains(v2);
    assertThat(store.latestFlagVersion("delete")).isEmpty();
    assertThat(store.flagVersion(1)).contains(v1);
    assertThat(store.flagVersion(4)).isEmpty();
    assertThat(store.flagVersions(1, 10)).containsExactly(v2, v3);
    assertThat(store.flagVersions(0, 1)).containsExactly(v1);
    assertThat(store.flagChanges("a"))
        .containsExactly(
            FlagChangeRecord.of(v1, "a", null, "{\"state\":\"ENABLED\"}"),
            FlagChangeRecord.of(v2, "a", "{\"state\":\"ENABLED\"}", "{\"state\":\"DISABLED\"}"));
    assertThat(store.flagChanges("b"))
        .extracting(FlagChangeRecord::version, FlagChangeRecord::after)
        .containsExactly(
            org.assertj.core.api.Assertions.tuple(1L, "{\"state\":\"ENABLED\"}"),
            org.assertj.core.api.Assertions.tuple(3L, null));
    assertThat(store.lastFlagChanges()).isEqualTo(Map.of("a", 2L, "b", 3L));
  }

  @Test
  void aFlagVersionThatDoesNotFollowTheLastWritesNothing() {
    Store store = store();
    FlagVersionRecord v1 = flagVersion(1, "import", "{}");
    store.appendFlagVersion(v1, List.of());
    FlagVersionRecord again = flagVersion(1, "put", "{\"x\": 1}");
    assertThatThrownBy(
            () ->
                store.appendFlagVersion(
                    again, List.of(FlagChangeRecord.of(again, "x", null, "{}"))))
        .isInstanceOf(ConcurrentAppendException.class)
        .hasMessage("flag set version 1 does not follow version 1");
    assertThat(store.flagVersions(0, 10)).containsExactly(v1);
    assertThat(store.flagChanges("x")).isEmpty();
  }

  @Test
  void flagEvaluationTimesOnlyMoveForward() {
    Store store = store();
    store.recordFlagEvaluations(Map.of("a", T0.plusSeconds(10), "b", T0));
    store.recordFlagEvaluations(Map.of("a", T0.plusSeconds(5), "b", T0.plusMillis(1500)));
    assertThat(store.flagEvaluations())
        .isEqualTo(Map.of("a", T0.plusSeconds(10), "b", T0.plusMillis(1500)));
  }

  @Test
  void flagsSurviveAReopen() {
    Store store = store();
    FlagVersionRecord v1 = flagVersion(1, "import", "{\"flags\": {}}");
    store.appendFlagVersion(v1, List.of(FlagChangeRecord.of(v1, "a", null, "{}")));
    store.recordFlagEvaluations(Map.of("a", T0));
    store.close();

    Store again = reopen();
    assertThat(again.latestFlagVersion()).contains(v1);
    assertThat(again.flagChanges("a")).hasSize(1);
    assertThat(again.flagEvaluations()).isEqualTo(Map.of("a", T0));
  }

  private static FlagRolloutRecord rollout(
      String key, String state, int step, @org.jspecify.annotations.Nullable Instant endedAt) {
    return new FlagRolloutRecord(
        key,
        state,
        step,
        "ci",
        endedAt == null ? "" : "every step passed its analysis",
        T0,
        endedAt,
        endedAt == null ? T0.plusSeconds(step) : endedAt,
        "{\"variant\":\"on\",\"steps\":[5,50,100]}",
        step == 0 ? null : "{\"state\":\"ENABLED\"}",
        "[\"started\",\"step " + (step + 1) + "\"]");
  }

  @Test
  void flagRolloutsAreStoredReplacedPerFlagAndListedByKey() {
    Store store = store();
    assertThat(store.flagRollouts()).isEmpty();
    assertThat(store.flagRollout("b")).isEmpty();
    FlagRolloutRecord b = rollout("b", "RUNNING", 0, null);
    store.putFlagRollout(b);
    FlagRolloutRecord a = rollout("a", "RUNNING", 1, null);
    store.putFlagRollout(a);
    assertThat(store.flagRollout("b")).contains(b);
    assertThat(store.flagRollouts()).containsExactly(a, b);

    FlagRolloutRecord done = rollout("b", "COMPLETED", 2, T0.plusSeconds(30));
    store.putFlagRollout(done);
    assertThat(store.flagRollout("b")).contains(done);
    assertThat(store.flagRollouts()).containsExactly(a, done);
  }

  @Test
  void flagRolloutsSurviveAReopen() {
    Store store = store();
    FlagRolloutRecord r = rollout("new-checkout", "RUNNING", 1, null);
    store.putFlagRollout(r);
    store.close();

    assertThat(reopen().flagRollouts()).containsExactly(r);
  }

  @Test
  void checkPassesOnAWorkingStore() {
    store().check();
  }

  // Leases and fencing (several processes on one database; SQLite obeys the same rules).

  static final Duration LONG = Duration.ofMinutes(1);

  @Test
  void aFreeLeaseIsTakenWithEpochOneAndPublishesItsAddress() {
    Store store = store();
    assertThat(store.lease("leader")).isEmpty();
    Lease l = store.acquireLease("leader", "a", "http://127.0.0.1:9090", LONG);
    assertThat(l.heldBy("a")).isTrue();
    assertThat(l.epoch()).isEqualTo(1);
    assertThat(l.remaining()).isGreaterThan(Duration.ofSeconds(50));
    assertThat(store.lease("leader").orElseThrow().address()).isEqualTo("http://127.0.0.1:9090");
  }

  @Test
  void aLiveLeaseStaysWithItsHolderWhoRenewsItWithTheSameEpoch() {
    Store store = store();
    store.acquireLease("leader", "a", null, LONG);
    Lease other = store.acquireLease("leader", "b", "http://b", LONG);
    assertThat(other.heldBy("b")).isFalse();
    assertThat(other.holder()).isEqualTo("a");
    assertThat(other.epoch()).isEqualTo(1);
    Lease renewed = store.acquireLease("leader", "a", null, LONG);
    assertThat(renewed.heldBy("a")).isTrue();
    assertThat(renewed.epoch()).isEqualTo(1);
  }

  @Test
  void anExpiredLeaseGoesToTheNextHolderWithTheNextEpoch() {
    Store store = store();
    store.acquireLease("leader", "a", null, Duration.ofMillis(200));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.lease("leader").orElseThrow().expired());
    Lease b = store.acquireLease("leader", "b", "http://b", LONG);
    assertThat(b.heldBy("b")).isTrue();
    assertThat(b.epoch()).isEqualTo(2);
    // the old holder coming back finds it taken
    assertThat(store.acquireLease("leader", "a", null, LONG).holder()).isEqualTo("b");
  }

  @Test
  void aHolderWhoseLeaseExpiredStartsANewEpochWhenItTakesItAgain() {
    Store store = store();
    store.acquireLease("leader", "a", null, Duration.ofMillis(200));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.lease("leader").orElseThrow().expired());
    assertThat(store.acquireLease("leader", "a", null, LONG).epoch()).isEqualTo(2);
  }

  @Test
  void aReleasedLeaseCanBeTakenAtOnce() {
    Store store = store();
    Lease a = store.acquireLease("leader", "a", null, LONG);
    store.releaseLease(a);
    assertThat(store.acquireLease("leader", "b", null, LONG).heldBy("b")).isTrue();
    // releasing a lease one no longer has changes nothing
    store.releaseLease(a);
    assertThat(store.lease("leader").orElseThrow().heldBy("b")).isTrue();
  }

  @Test
  void theLeaseHoldersFencedAppendIsWritten() throws Exception {
    Store store = store();
    Lease a = store.acquireLease("leader", "a", null, LONG);
    AppState s = AppState.empty("shop");
    store.append(s.next(Commands.deploy(s, spec(), "v1", false, "test"), T0), null, a);
    assertThat(store.events("shop")).hasSize(1);
  }

  @Test
  void aReplacedLeadersFencedAppendIsRefusedAndChangesNothing() throws Exception {
    Store store = store();
    Lease old = store.acquireLease("leader", "a", null, Duration.ofMillis(200));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.lease("leader").orElseThrow().expired());
    Lease current = store.acquireLease("leader", "b", null, LONG);
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    AppState after = s.applyAll(events, T0);
    // the old leader wakes up from a pause and appends with the token it had
    assertThatThrownBy(() -> store.append(s.next(events, T0), after.release(), old))
        .isInstanceOf(LeaseLostException.class)
        .hasMessage(
            "lease leader epoch 1 of a is no longer held (now: epoch 2 of b); nothing was"
                + " written");
    assertThat(store.events("shop")).isEmpty();
    assertThat(store.apps()).isEmpty();
    assertThat(store.releases("shop")).isEmpty();
    // the new leader's append goes through
    store.append(s.next(events, T0), after.release(), current);
    assertThat(store.events("shop")).hasSize(1);
  }

  @Test
  void aFencedAppendAfterTheLeaseExpiredIsRefusedEvenBeforeAnotherTookIt() throws Exception {
    Store store = store();
    Lease a = store.acquireLease("leader", "a", null, Duration.ofMillis(200));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.lease("leader").orElseThrow().expired());
    AppState s = AppState.empty("shop");
    assertThatThrownBy(
            () ->
                store.append(s.next(Commands.deploy(s, spec(), "v1", false, "test"), T0), null, a))
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("(now: epoch 1 of a, expired)");
    assertThat(store.events("shop")).isEmpty();
  }

  @Test
  void leasesSurviveAReopen() {
    Store store = store();
    store.acquireLease("leader", "a", "http://a", LONG);
    store.close();
    Lease again = reopen().lease("leader").orElseThrow();
    assertThat(again.heldBy("a")).isTrue();
    assertThat(again.address()).isEqualTo("http://a");
  }

  @Test
  void aFencedViewAppendsWhileItsLeaseIsCurrentAndRefusesOtherwise() throws Exception {
    Store store = store();
    java.util.concurrent.atomic.AtomicReference<Lease> held =
        new java.util.concurrent.atomic.AtomicReference<>();
    Store fenced = store.fencedBy(held::get);
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    assertThatThrownBy(() -> fenced.append(s.next(events, T0), null))
        .isInstanceOf(LeaseLostException.class)
        .hasMessage(
            "this process does not hold the leader lease, so it may not append; nothing was"
                + " written");
    held.set(store.acquireLease("leader", "a", null, LONG));
    fenced.append(s.next(events, T0), null);
    assertThat(fenced.events("shop")).hasSize(1);
    fenced.close(); // closes nothing: the store still works
    assertThat(store.lastSeq("shop")).isEqualTo(1);
  }
}
