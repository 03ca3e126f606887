package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.store.FlagVersionRecord;
import dev.sluice.store.Store;
import dev.sluice.store.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two flag services on one PostgreSQL store, as two Sluice processes sharing it: what one changes,
 * the other loads, swaps in and announces, as if it had made the change; versions only move
 * forward, and a stored version that does not validate is skipped.
 */
class SharedFlagsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);
  private static PostgresServer pg;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private Store open(String database) {
    Store s = Store.open(pg.url(database), Path.of("."));
    open.add(s);
    return s;
  }

  /** A service that follows its store; polls rarely, so that NOTIFY is what brings changes. */
  private FlagService following(Store store, Duration every) {
    FlagService f = FlagService.start(store, Clock.systemUTC());
    open.add(f);
    f.follow(store::onChange, every);
    return f;
  }

  @Test
  void aChangeThroughOneProcessIsServedAndAnnouncedOnceByTheOther() {
    String db = pg.createDatabase();
    FlagService leader = following(open(db), Duration.ofMinutes(10));
    FlagService follower = following(open(db), Duration.ofMinutes(10));
    List<FlagSetUpdate> seen = new CopyOnWriteArrayList<>();
    follower.subscribe(seen::add);

    leader.importSet(FlagSet.parse(FlagServiceTest.CHECKOUT), false, "ci", null);
    await().atMost(DEADLINE).until(() -> follower.current().version() == 1);
    leader.setState("new-checkout", FlagState.DISABLED, null, "ada", null);
    await().atMost(DEADLINE).until(() -> follower.current().version() == 2);

    // Asking again finds nothing newer: each version was announced once, in order.
    assertThat(follower.refresh()).isFalse();
    assertThat(seen).extracting(u -> u.current().version()).containsExactly(1L, 2L);
    assertThat(seen.get(1).previous().version()).isEqualTo(1);
    assertThat(seen.get(1).changedKeys()).containsExactly("new-checkout");
    assertThat(follower.current().flags()).isEqualTo(leader.current().flags());
    assertThat(
            follower
                .evaluator()
                .booleanValue("new-checkout", true, EvaluationContext.of("u1"))
                .reason()
                .name())
        .isEqualTo("DISABLED");
    assertThat(follower.lastChanged("new-checkout")).hasValue(2);
    // The leader saw its own versions once too (its following found nothing newer).
    assertThat(leader.refresh()).isFalse();
  }

  @Test
  void withoutNotificationsThePollFindsTheChange() {
    String db = pg.createDatabase();
    Store writer = open(db);
    FlagService leader = FlagService.start(writer, Clock.systemUTC());
    open.add(leader);
    FlagService follower = FlagService.start(open(db), Clock.systemUTC());
    open.add(follower);
    follower.follow(listener -> () -> {}, Duration.ofMillis(200)); // a store that never notifies

    leader.importSet(FlagSet.parse(FlagServiceTest.CHECKOUT), false, "ci", null);
    await().atMost(DEADLINE).until(() -> follower.current().version() == 1);
  }

  @Test
  void anOlderOrEqualVersionNeverReplacesANewerAndAnInvalidOneIsSkipped() {
    String db = pg.createDatabase();
    Store store = open(db);
    FlagService leader = FlagService.start(store, Clock.systemUTC());
    open.add(leader);
    leader.importSet(FlagSet.parse(FlagServiceTest.CHECKOUT), false, "ci", null);
    leader.setState("banner", FlagState.DISABLED, null, "ci", null);
    FlagService follower = FlagService.start(open(db), Clock.systemUTC());
    open.add(follower);
    List<FlagSetUpdate> seen = new CopyOnWriteArrayList<>();
    follower.subscribe(seen::add);

    // Started after both versions: it has the newest already, and nothing is announced.
    assertThat(follower.current().version()).isEqualTo(2);
    assertThat(follower.refresh()).isFalse();
    assertThat(seen).isEmpty();

    // A version that does not validate (written by a broken or newer process) is skipped.
    FlagSet good = follower.current().flags();
    store.appendFlagVersion(
        new FlagVersionRecord(
            3,
            java.time.Instant.now(),
            "other",
            "put",
            "broken",
            "{\"flags\": {\"x\": {\"state\": \"SOMETIMES\"}}}"),
        List.of());
    assertThat(follower.refresh()).isFalse();
    assertThat(follower.current().version()).isEqualTo(2);
    assertThat(follower.current().flags()).isEqualTo(good);
    assertThat(seen).isEmpty();

    // The next good version is loaded, over the skipped one.
    store.appendFlagVersion(
        new FlagVersionRecord(4, java.time.Instant.now(), "other", "put", "fixed", good.toJson()),
        List.of());
    assertThat(follower.refresh()).isTrue();
    assertThat(follower.current().version()).isEqualTo(4);
    assertThat(seen).extracting(u -> u.current().version()).containsExactly(4L);
  }
}
