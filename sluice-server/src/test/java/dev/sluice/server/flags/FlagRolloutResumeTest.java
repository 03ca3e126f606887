package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.flags.FlagSet;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagRolloutRecord;
import dev.sluice.store.Store;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarded rollouts survive the process that ran them: each test starts one, "crashes" (the rollout
 * thread stops, nothing ends the rollout, the store and flag service are dropped) and starts a new
 * flag service and rollouts on the same SQLite file, as a restarted daemon or a new leader does.
 * Real router, real app, real analysis, as in {@link EdgeFlagsTest}.
 */
class FlagRolloutResumeTest {
  private static final String SPEC =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:0
          runtime: {static: {versions: {v1: [http://127.0.0.1:1]}}}
          edgeFlags:
            keys: [new-checkout]
            targetingKey: {header: x-user-id}
      """;

  private static final String FLAGS =
      """
      {"flags": {"new-checkout": {
        "state": "ENABLED",
        "variants": {"on": true, "off": false},
        "defaultVariant": "off",
        "targeting": {"fractional": [["on", 30], ["off", 70]]}
      }}}
      """;

  private static final String KEY = "new-checkout";

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private Router router;
  private Listener listener;
  private AppSpec app;

  /** One life of the daemon's flag parts. */
  private static final class Life implements AutoCloseable {
    final Store store;
    final FlagService flags;
    final Analyzer analyzer;
    final FlagRollouts rollouts;
    private boolean closed;

    Life(Store store, FlagService flags, Analyzer analyzer, FlagRollouts rollouts) {
      this.store = store;
      this.flags = flags;
      this.analyzer = analyzer;
      this.rollouts = rollouts;
    }

    FlagService flags() {
      return flags;
    }

    FlagRollouts rollouts() {
      return rollouts;
    }

    /** A crash: the rollout thread stops, and nothing else of the rollout runs. */
    @Override
    public void close() throws Exception {
      if (!closed) {
        closed = true;
        rollouts.close();
        analyzer.close();
        flags.close();
        store.close();
      }
    }
  }

  @BeforeEach
  void start() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(threads);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String variant = ex.getRequestHeaders().getFirst("Sluice-Flag-new-checkout");
            byte[] body = String.valueOf(variant).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
        });
    server.start();
    open.add(threads::shutdownNow);
    open.add(() -> server.stop(0));
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    open.add(router);
    listener = router.listen(ListenerOptions.of("shop", new InetSocketAddress("127.0.0.1", 0)));
    listener.update(
        RoutingTable.builder()
            .version(
                "v1",
                100,
                List.of(new Endpoint("shop/v1/0", "127.0.0.1", server.getAddress().getPort())))
            .build());
    app = SpecParser.parse(SPEC, "sluice.yaml").apps().get(0);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private Life life(BooleanSupplier leads) throws Exception {
    Store store = Store.sqlite(dir.resolve("sluice.db"));
    FlagService flags = FlagService.start(store, Clock.systemUTC());
    EdgeFlagBindings bindings = new EdgeFlagBindings(router, flags);
    bindings.install(List.of(app));
    Analyzer analyzer = Analyzer.create(router.metrics(), dir);
    Life life =
        new Life(
            store,
            flags,
            analyzer,
            new FlagRollouts(flags, analyzer, bindings, Clock.systemUTC(), leads));
    open.add(life);
    return life;
  }

  private static FlagRollouts.Plan plan(Duration stepDuration) {
    return new FlagRollouts.Plan(
        KEY,
        null,
        "on",
        null,
        List.of(20, 50, 100),
        stepDuration,
        List.of("error_rate"),
        Duration.ofSeconds(1),
        5,
        0);
  }

  private void get(int user) throws Exception {
    http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.address().getPort() + "/"))
            .header("x-user-id", "user-" + user)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** Sends requests until {@code done} says so or 20 s passed. */
  private void trafficUntil(BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int user = 0;
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      get(user++);
    }
  }

  private static String definition(FlagService flags) {
    return flags.current().flags().flag(KEY).orElseThrow().toJson().toString();
  }

  @Test
  void aRolloutKilledMidwayResumesAtItsStepWithoutSettingItAgainAndCompletes() throws Exception {
    Life first = life(() -> true);
    first.flags().importSet(FlagSet.parse(FLAGS), false, "test", null);
    first.rollouts().start(plan(Duration.ofSeconds(1)), "ci");
    trafficUntil(() -> first.rollouts().status(KEY).orElseThrow().step() >= 1);
    first.close();
    FlagRolloutRecord stored;
    try (Store peek = Store.sqlite(dir.resolve("sluice.db"))) {
      stored = peek.flagRollout(KEY).orElseThrow();
    }
    assertThat(stored.state()).isEqualTo("RUNNING");
    assertThat(stored.step()).isEqualTo(1);

    Life second = life(() -> true);
    long version = second.flags().current().version();
    FlagRollouts.Status resumed = second.rollouts().status(KEY).orElseThrow();
    assertThat(resumed.state()).isEqualTo(FlagRollouts.State.RUNNING);
    assertThat(resumed.step()).isEqualTo(1);
    assertThat(resumed.actor()).isEqualTo("ci");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                second.rollouts().status(KEY).orElseThrow().events().stream()
                    .anyMatch(e -> e.contains("resumed at step 2/3")));
    // The flag had the step's weights already: no new version was made for it.
    assertThat(second.flags().current().version()).isEqualTo(version);

    trafficUntil(
        () -> second.rollouts().status(KEY).orElseThrow().state() != FlagRollouts.State.RUNNING);
    FlagRollouts.Status done = second.rollouts().status(KEY).orElseThrow();
    assertThat(done.state()).as(done.toString()).isEqualTo(FlagRollouts.State.COMPLETED);
    assertThat(done.events()).anyMatch(e -> e.contains("rollout of new-checkout by ci"));
    assertThat(definition(second.flags())).contains("[\"on\",100]");
    assertThat(second.flags().history(KEY).stream().map(FlagChangeRecord::action).toList())
        .containsExactly("import", "rollout", "rollout", "rollout");
    second.close();

    // Ended rollouts are shown after a restart too.
    Life third = life(() -> true);
    assertThat(third.rollouts().status(KEY).orElseThrow().state())
        .isEqualTo(FlagRollouts.State.COMPLETED);
  }

  @Test
  void aStepStoredButNotSetIsSetByTheNextLeaderAndNotByAFollower() throws Exception {
    Life first = life(() -> true);
    first.flags().importSet(FlagSet.parse(FLAGS), false, "test", null);
    first.rollouts().start(plan(Duration.ofMinutes(10)), "ci");
    first.close();
    // The process stopped right after storing step 2, before setting its weights.
    try (Store s = Store.sqlite(dir.resolve("sluice.db"))) {
      FlagRolloutRecord r = s.flagRollout(KEY).orElseThrow();
      s.putFlagRollout(
          new FlagRolloutRecord(
              r.key(),
              r.state(),
              1,
              r.actor(),
              r.reason(),
              r.startedAt(),
              r.endedAt(),
              r.updatedAt(),
              r.plan(),
              r.written(),
              r.events()));
    }

    AtomicBoolean leads = new AtomicBoolean(false);
    Life second = life(leads::get);
    long version = second.flags().current().version();
    // A follower shows the stored rollout, runs nothing and starts nothing.
    FlagRollouts.Status seen = second.rollouts().status(KEY).orElseThrow();
    assertThat(seen.state()).isEqualTo(FlagRollouts.State.RUNNING);
    assertThat(seen.step()).isEqualTo(1);
    assertThatThrownBy(() -> second.rollouts().start(plan(Duration.ofMinutes(1)), "ci"))
        .hasMessageContaining("does not lead");
    assertThat(second.flags().current().version()).isEqualTo(version);

    leads.set(true); // the leader is gone and this process took over
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> second.flags().current().version() == version + 1);
    assertThat(definition(second.flags())).contains("[\"on\",50]").contains("[\"off\",50]");
    FlagRollouts.Status resumed = second.rollouts().status(KEY).orElseThrow();
    assertThat(resumed.state()).isEqualTo(FlagRollouts.State.RUNNING);
    assertThat(resumed.step()).isEqualTo(1);
    assertThat(resumed.events()).anyMatch(e -> e.contains("setting its weights"));
  }

  @Test
  void aRevertStoredButNotMadeIsMadeAfterARestart() throws Exception {
    Life first = life(() -> true);
    first.flags().importSet(FlagSet.parse(FLAGS), false, "test", null);
    String before = definition(first.flags());
    first.rollouts().start(plan(Duration.ofMinutes(10)), "ci");
    first.close();
    // The process stopped right after storing its decision to revert, before making it.
    try (Store s = Store.sqlite(dir.resolve("sluice.db"))) {
      FlagRolloutRecord r = s.flagRollout(KEY).orElseThrow();
      s.putFlagRollout(
          new FlagRolloutRecord(
              r.key(),
              "REVERTING",
              r.step(),
              r.actor(),
              "analysis failed: error_rate",
              r.startedAt(),
              null,
              r.updatedAt(),
              r.plan(),
              r.written(),
              r.events()));
    }

    Life second = life(() -> true);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                second.rollouts().status(KEY).orElseThrow().state() == FlagRollouts.State.REVERTED);
    assertThat(definition(second.flags())).isEqualTo(before);
    assertThat(second.rollouts().status(KEY).orElseThrow().reason())
        .startsWith("analysis failed: error_rate; the flag is back as before the rollout");
    assertThat(second.flags().history(KEY).stream().map(FlagChangeRecord::action).toList())
        .containsExactly("import", "rollout", "rollout-revert");
  }

  @Test
  void aFlagChangedWhileNoProcessRanTheRolloutCancelsIt() throws Exception {
    Life first = life(() -> true);
    first.flags().importSet(FlagSet.parse(FLAGS), false, "test", null);
    first.rollouts().start(plan(Duration.ofMinutes(10)), "ci");
    first.rollouts().close();
    LinkedHashMap<String, Integer> manual = new LinkedHashMap<>();
    manual.put("on", 70);
    manual.put("off", 30);
    first.flags().setWeights(KEY, manual, null, "ada", null);
    first.close();

    Life second = life(() -> true);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                second.rollouts().status(KEY).orElseThrow().state()
                    == FlagRollouts.State.CANCELLED);
    assertThat(second.rollouts().status(KEY).orElseThrow().reason())
        .contains("changed by someone else while no process ran the rollout");
    assertThat(definition(second.flags())).contains("[\"on\",70]");
  }
}
