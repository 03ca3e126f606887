package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Commands;
import dev.sluice.store.testing.PostgresServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract against a real PostgreSQL, and what only PostgreSQL does. */
class PostgresStoreTest extends StoreContract {
  private static PostgresServer pg;
  private final List<Store> open = new ArrayList<>();
  private String database;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Override
  Store store() {
    database = pg.createDatabase();
    return reopen();
  }

  @Override
  Store reopen() {
    Store s = Store.open(pg.url(database), Path.of("."));
    open.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    for (Store s : open) {
      try {
        s.close();
      } catch (RuntimeException e) {
        // closed by the test already
      }
    }
  }

  @Test
  void theDescriptionNamesTheDatabaseButNotThePassword() {
    Store s = store();
    assertThat(s.description())
        .isEqualTo("PostgreSQL store postgres://postgres@127.0.0.1:" + pg.port() + "/" + database)
        .doesNotContain(PostgresServer.PASSWORD);
    assertThat(s.isShared()).isTrue();
  }

  @Test
  void anUnreachableDatabaseIsReportedWithoutItsPassword() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String url = "postgres://sluice:" + PostgresServer.PASSWORD + "@127.0.0.1:" + closed + "/x";
    assertThatThrownBy(() -> Store.open(url, Path.of(".")))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(
            "cannot open the PostgreSQL store postgres://sluice@127.0.0.1:" + closed + "/x: ")
        .hasMessageContaining("Connection")
        .satisfies(
            e -> {
              for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(PostgresServer.PASSWORD);
              }
            });
  }

  @Test
  void twoWritersRacingForTheSameSeqLeaveOneAppendAndTheOtherIsToldSo() throws Exception {
    Store a = store();
    Store b = reopen();
    AppState s = AppState.empty("shop");
    List<Event> events = Commands.deploy(s, spec(), "v1", false, "test");
    a.append(s.next(events, T0), null);
    AppState s1 = s.applyAll(events, T0);
    int rounds = 20;
    int refused = 0;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < rounds; i++) {
        List<EventRecord> mine = s1.next(List.of(new Event.Paused("a" + i)), T0);
        List<EventRecord> theirs = s1.next(List.of(new Event.Paused("b" + i)), T0);
        CountDownLatch go = new CountDownLatch(1);
        Future<?> fa = pool.submit(() -> startTogether(go, () -> a.append(mine, null)));
        Future<?> fb = pool.submit(() -> startTogether(go, () -> b.append(theirs, null)));
        go.countDown();
        int failures = 0;
        for (Future<?> f : List.of(fa, fb)) {
          try {
            f.get();
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ConcurrentAppendException.class);
            failures++;
          }
        }
        assertThat(failures).as("round %d", i).isEqualTo(1);
        refused += failures;
        s1 = AppState.replay("shop", a.events("shop"));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(refused).isEqualTo(rounds);
    List<EventRecord> log = a.events("shop");
    assertThat(log).hasSize(1 + rounds);
    for (int i = 0; i < log.size(); i++) {
      assertThat(log.get(i).seq()).isEqualTo(i + 1);
    }
  }

  private static Object startTogether(CountDownLatch go, Runnable r) throws InterruptedException {
    go.await();
    r.run();
    return null;
  }

  @Test
  void anotherProcessIsNotifiedOfAppendsAndReplicaChanges() throws Exception {
    Store writer = store();
    Store reader = reopen();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = reader.onChange(seen::add)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("*"));
      AppState s = AppState.empty("shop");
      writer.append(s.next(Commands.deploy(s, spec(), "v1", false, "test"), T0), null);
      writer.putInstance(new InstanceRecord("cart", "v1", 0, 1, 41000, T0));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsAll(List.of("shop", "cart")));
    }
  }

  @Test
  void anotherProcessIsNotifiedOfFlagVersionsAndRollouts() throws Exception {
    Store writer = store();
    Store reader = reopen();
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = reader.onChange(seen::add)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("*"));
      writer.appendFlagVersion(
          new FlagVersionRecord(1, T0, "ci", "import", "imported", "{\"flags\": {}}"), List.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(Store.FLAGS));
      seen.clear();
      writer.putFlagRollout(
          new FlagRolloutRecord("a", "RUNNING", 0, "ci", "", T0, null, T0, "{}", null, "[]"));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(Store.FLAGS));
    }
  }

  @Test
  void aStoreThatLostItsDatabaseFailsClearlyAndWorksAgainWhenItReturns() throws Exception {
    Store s = store();
    s.putInstance(new InstanceRecord("shop", "v1", 0, 1, 41000, T0));
    List<String> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = s.onChange(seen::add)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("*"));
      pg.stop();
      try {
        assertThatThrownBy(s::instances)
            .isInstanceOf(StoreException.class)
            .hasMessageStartingWith("cannot list replicas in the PostgreSQL store postgres://")
            .hasMessageNotContaining(PostgresServer.PASSWORD);
        assertThatThrownBy(s::check).isInstanceOf(StoreException.class);
        seen.clear();
      } finally {
        pg.restart();
      }
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(s.instances()).hasSize(1));
      // the listener connected again, and says that changes may have been missed meanwhile
      await().atMost(Duration.ofSeconds(15)).until(() -> seen.contains("*"));
    }
  }
}
