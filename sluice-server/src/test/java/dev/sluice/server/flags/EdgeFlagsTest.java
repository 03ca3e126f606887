package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.store.FlagChangeRecord;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flags evaluated at the edge with the real engine and a real router in front of a real app: the
 * router buckets users exactly as the engine (and so OFREP and the OpenFeature provider) does, a
 * flag change reaches the next request, and a guarded rollout reverts a variant that fails.
 */
class EdgeFlagsTest {
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

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicBoolean onFails = new AtomicBoolean();
  private FlagService flags;
  private Router router;
  private Listener listener;
  private EdgeFlagBindings bindings;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Store store = Store.sqlite(dir.resolve("sluice.db"));
    open.add(store);
    flags = FlagService.start(store, Clock.systemUTC());
    open.add(flags);
    flags.importSet(FlagSet.parse(FLAGS), false, "test", null);
    // The app answers with the variant it was given; with "on" it fails when told to.
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    app.setExecutor(threads);
    app.createContext(
        "/",
        ex -> {
          try (ex) {
            String variant = ex.getRequestHeaders().getFirst("Sluice-Flag-new-checkout");
            byte[] body = String.valueOf(variant).getBytes(StandardCharsets.UTF_8);
            int status = "on".equals(variant) && onFails.get() ? 500 : 200;
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
          }
        });
    app.start();
    open.add(threads::shutdownNow);
    open.add(() -> app.stop(0));
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    open.add(router);
    listener = router.listen(ListenerOptions.of("shop", new InetSocketAddress("127.0.0.1", 0)));
    listener.update(
        RoutingTable.builder()
            .version(
                "v1",
                100,
                List.of(new Endpoint("shop/v1/0", "127.0.0.1", app.getAddress().getPort())))
            .build());
    AppSpec spec = SpecParser.parse(SPEC, "sluice.yaml").apps().get(0);
    bindings = new EdgeFlagBindings(router, flags);
    bindings.install(List.of(spec));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private HttpResponse<String> get(String user) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.address().getPort() + "/"))
            .timeout(Duration.ofSeconds(10));
    if (user != null) {
      b.header("x-user-id", user);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theRouterBucketsUsersExactlyAsTheEngine() throws Exception {
    int on = 0;
    for (int i = 0; i < 200; i++) {
      String user = "user-" + i;
      String expected =
          flags.evaluator().value("new-checkout", EvaluationContext.of(user)).variant();
      assertThat(get(user).body()).as(user).isEqualTo(expected);
      on += "on".equals(expected) ? 1 : 0;
    }
    // Both variants were exercised (30 % of 200 users, give or take).
    assertThat(on).isBetween(35, 90);
    assertThat(bindings.appsEvaluating("new-checkout")).containsExactly("shop");
  }

  @Test
  void aFlagChangeReachesTheNextRequest() throws Exception {
    flags.setWeights(
        "new-checkout",
        new java.util.LinkedHashMap<>(java.util.Map.of("on", 100)),
        null,
        "test",
        null);
    assertThat(get("user-1").body()).isEqualTo("on");
    flags.setState("new-checkout", FlagState.DISABLED, null, "test", null);
    // A disabled flag serves no variant: no header reaches the app.
    assertThat(get("user-1").body()).isEqualTo("null");
  }

  @Test
  void theSpecsEnvironmentIsEvaluatedAndARequestCannotChooseAnother() throws Exception {
    flags.importSet(
        FlagSet.parse(
            """
            {"flags": {"new-checkout": {
              "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
              "environments": {"staging": {"defaultVariant": "on"}}}}}
            """),
        false,
        "test",
        null);
    assertThat(get("user-1").body()).isEqualTo("off");
    String staging =
        SPEC.replace(
            "targetingKey: {header: x-user-id}",
            "targetingKey: {header: x-user-id}\n      environment: staging");
    bindings.install(List.of(SpecParser.parse(staging, "sluice.yaml").apps().get(0)));
    assertThat(get("user-1").body()).isEqualTo("on");
    // An environment attribute sent by the client changes nothing.
    HttpRequest asProduction =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.address().getPort() + "/"))
            .header("x-user-id", "user-1")
            .header("environment", "production")
            .build();
    assertThat(http.send(asProduction, HttpResponse.BodyHandlers.ofString()).body())
        .isEqualTo("on");
  }

  @Test
  void aGuardedRolloutRevertsAVariantThatFails() throws Exception {
    String before = flags.current().flags().flag("new-checkout").orElseThrow().toJson().toString();
    onFails.set(true);
    try (Analyzer analyzer = Analyzer.create(router.metrics(), dir);
        FlagRollouts rollouts = new FlagRollouts(flags, analyzer, bindings, Clock.systemUTC())) {
      FlagRollouts.Status started =
          rollouts.start(
              new FlagRollouts.Plan(
                  "new-checkout",
                  null,
                  "on",
                  null,
                  List.of(20, 50, 100),
                  Duration.ofSeconds(3),
                  List.of("error_rate", "latency_p99"),
                  Duration.ofSeconds(1),
                  10,
                  0),
              "ci");
      assertThat(started.state()).isEqualTo(FlagRollouts.State.RUNNING);
      assertThat(started.control()).isEqualTo("off");
      assertThat(started.app()).isEqualTo("shop");
      int user = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (rollouts.status("new-checkout").orElseThrow().state() == FlagRollouts.State.RUNNING
          && System.nanoTime() < deadline) {
        get("user-" + user++);
      }
      FlagRollouts.Status done = rollouts.status("new-checkout").orElseThrow();
      assertThat(done.state()).as(done.toString()).isEqualTo(FlagRollouts.State.REVERTED);
      assertThat(done.reason()).contains("analysis failed").contains("error_rate");
      assertThat(done.step()).isZero();
    }
    // Put back exactly as before, as two audited changes: the step and the revert.
    assertThat(flags.current().flags().flag("new-checkout").orElseThrow().toJson().toString())
        .isEqualTo(before);
    List<FlagChangeRecord> history = flags.history("new-checkout");
    assertThat(history.stream().map(FlagChangeRecord::action).toList())
        .containsExactly("import", "rollout", "rollout-revert");
  }

  @Test
  void aRolloutThatDoesNotFitTheFlagChangesNothing() throws Exception {
    long version = flags.current().version();
    try (Analyzer analyzer = Analyzer.create(router.metrics(), dir);
        FlagRollouts rollouts = new FlagRollouts(flags, analyzer, bindings, Clock.systemUTC())) {
      assertThatThrownBy(() -> rollouts.start(plan("blue", List.of(5, 50)), "ci"))
          .hasMessage("variant: blue (expected: one of the flag's variants [on, off])");
      assertThatThrownBy(() -> rollouts.start(plan("on", List.of(50, 25)), "ci"))
          .hasMessage(
              "steps: [50, 25] (expected: weights 1..100 in percent, each above the one before)");
      assertThatThrownBy(
              () ->
                  rollouts.start(
                      new FlagRollouts.Plan(
                          "new-checkout",
                          null,
                          "on",
                          null,
                          List.of(5),
                          Duration.ofSeconds(5),
                          List.of("request_rate"),
                          Duration.ofSeconds(1),
                          10,
                          0),
                      "ci"))
          .hasMessageStartingWith("analysis: request_rate (expected: error_rate, latency_p50");
      bindings.install(List.of());
      assertThatThrownBy(() -> rollouts.start(plan("on", List.of(5, 50)), "ci"))
          .hasMessageStartingWith("no app evaluates flag new-checkout at the edge");
    }
    assertThat(flags.current().version()).isEqualTo(version);
  }

  private static FlagRollouts.Plan plan(String variant, List<Integer> steps) {
    return new FlagRollouts.Plan(
        "new-checkout",
        null,
        variant,
        null,
        steps,
        Duration.ofSeconds(5),
        List.of("error_rate"),
        Duration.ofSeconds(1),
        10,
        0);
  }
}
