package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecParserTest {

  private static final String GOOD =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime:
            process:
              command: ["java", "-jar", "shop-${version}.jar"]
              replicas: 2
              stopGrace: 20s
              env: {MODE: prod}
          health: {path: /health, interval: 2s, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 3}
          strategy:
            blueGreen:
              autoPromote: false
              scaleDownDelay: 1m30s
              previewListen: 127.0.0.1:8081
          hooks:
            prePromotion:
              - run: ["./smoke.sh"]
              - http: {path: /smoke}
                timeout: 5s
        - name: static-app
          listen: "[::1]:9000"
          runtime:
            static:
              versions:
                v1: [http://127.0.0.1:9001, http://127.0.0.1:9002]
                v2: [http://127.0.0.1:9003]
      """;

  private static List<String> problems(String yaml) {
    try {
      SpecParser.parse(yaml, "sluice.yaml");
    } catch (SpecException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("expected the spec to be rejected:\n" + yaml);
  }

  @Test
  void readsAFullSpecWithDefaultsFilledIn() throws SpecException {
    Spec spec = SpecParser.parse(GOOD, "sluice.yaml");
    AppSpec shop = spec.app("shop").orElseThrow();
    assertThat(shop.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
    RuntimeSpec.Process p = (RuntimeSpec.Process) shop.runtime();
    assertThat(p.command()).containsExactly("java", "-jar", "shop-${version}.jar");
    assertThat(p.replicas()).isEqualTo(2);
    assertThat(p.stopGrace()).isEqualTo(Duration.ofSeconds(20));
    assertThat(p.env()).containsEntry("MODE", "prod");
    StrategySpec.BlueGreen bg = (StrategySpec.BlueGreen) shop.strategy();
    assertThat(bg.autoPromote()).isFalse();
    assertThat(bg.scaleDownDelay()).isEqualTo(Duration.ofSeconds(90));
    assertThat(bg.previewListen()).isEqualTo(new HostPort("127.0.0.1", 8081));
    assertThat(shop.hooks().prePromotion())
        .containsExactly(
            new HookSpec.Run(List.of("./smoke.sh"), Duration.ofMinutes(1)),
            new HookSpec.Http("/smoke", "GET", Duration.ofSeconds(5)));
    assertThat(shop.progressDeadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(shop.revisionHistoryLimit()).isEqualTo(10);
    assertThat(shop.timeouts()).isEqualTo(TimeoutSpec.defaults());
    // docs/resilience.md: outlier detection 5 in a row, 30s, 50 %; 2 retries within 20 % + 3/s.
    assertThat(shop.upstream())
        .isEqualTo(
            new UpstreamSpec(
                new UpstreamSpec.OutlierDetection(5, Duration.ofSeconds(30), 50),
                2,
                new UpstreamSpec.RetryBudget(20, 3),
                0,
                0));

    AppSpec st = spec.app("static-app").orElseThrow();
    assertThat(st.listen()).isEqualTo(new HostPort("::1", 9000));
    assertThat(((RuntimeSpec.Static) st.runtime()).versions().get("v1"))
        .containsExactly(URI.create("http://127.0.0.1:9001"), URI.create("http://127.0.0.1:9002"));
    assertThat(st.strategy()).isEqualTo(StrategySpec.BlueGreen.defaults());
    assertThat(st.health()).isEqualTo(HealthSpec.defaults());
  }

  @Test
  void routingRulesStickinessAndSharedListenersAreRead() throws SpecException {
    Spec spec =
        SpecParser.parse(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:8080
                hosts: [shop.example.com]
                runtime: {process: {command: [x]}}
                routing:
                  forceHeader: {name: x-canary, value: "true", trusted: [10.0.0.0/8, "::1"]}
                  routes:
                    - match: {headers: {x-beta: {prefix: "yes"}}, cookies: {plan: pro}, pathPrefix: /api}
                      version: stable
                  sticky: {cookie: uid}
              - name: blog
                listen: 127.0.0.1:8080
                pathPrefix: /blog
                runtime: {process: {command: [x]}}
            """,
            "s.yaml");
    AppSpec shop = spec.app("shop").orElseThrow();
    assertThat(shop.hosts()).containsExactly("shop.example.com");
    RoutingSpec r = shop.routing();
    assertThat(r.routes()).hasSize(2);
    assertThat(r.routes().get(0).version()).isEqualTo("canary");
    assertThat(r.routes().get(0).trusted()).containsExactly("10.0.0.0/8", "::1/128");
    assertThat(r.routes().get(0).match().headers())
        .containsEntry(
            "x-canary", new RoutingSpec.StringMatch(RoutingSpec.StringMatch.Kind.EXACT, "true"));
    assertThat(r.routes().get(1).match().cookies())
        .containsEntry(
            "plan", new RoutingSpec.StringMatch(RoutingSpec.StringMatch.Kind.EXACT, "pro"));
    assertThat(r.routes().get(1).match().pathPrefix()).isEqualTo("/api");
    assertThat(r.sticky()).isEqualTo(new RoutingSpec.Sticky(RoutingSpec.Sticky.Kind.COOKIE, "uid"));
    assertThat(spec.app("blog").orElseThrow().pathPrefix()).isEqualTo("/blog");
  }

  @Test
  void upstreamResilienceFieldsAreReadAndTheRestKeepTheirDefaults() throws SpecException {
    Spec spec =
        SpecParser.parse(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:8080
                runtime: {process: {command: [x]}}
                upstream:
                  outlierDetection: {consecutiveFailures: 3, baseEjection: 10s}
                  retryBudget: {percent: 10}
                  maxRetries: 1
                  maxConnectionsPerReplica: 100
                  maxPendingPerReplica: 50
              - name: blog
                listen: 127.0.0.1:8081
                runtime: {process: {command: [x]}}
                upstream: {outlierDetection: {consecutiveFailures: 0}}
            """,
            "s.yaml");
    UpstreamSpec shop = spec.app("shop").orElseThrow().upstream();
    assertThat(shop.outlierDetection())
        .isEqualTo(new UpstreamSpec.OutlierDetection(3, Duration.ofSeconds(10), 50));
    assertThat(shop.retryBudget()).isEqualTo(new UpstreamSpec.RetryBudget(10, 3));
    assertThat(shop.maxRetries()).isEqualTo(1);
    assertThat(shop.maxConnectionsPerReplica()).isEqualTo(100);
    assertThat(shop.maxPendingPerReplica()).isEqualTo(50);
    assertThat(spec.app("blog").orElseThrow().upstream().outlierDetection().consecutiveFailures())
        .isZero();
  }

  @Test
  void badUpstreamFieldsAreExplained() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    upstream:
                      outlierDetection: {consecutiveFailures: -1, baseEjection: 0s, maxEjectionPercent: 150}
                      retryBudget: {percent: 20, minPerSec: 3}
                      maxRetries: 9
                      maxPendingPerReplica: 10
                """))
        .containsExactly(
            "sluice.yaml:6:47: apps[0].upstream.outlierDetection.consecutiveFailures: -1"
                + " (expected: 0..1000)",
            "sluice.yaml:6:65: apps[0].upstream.outlierDetection.baseEjection: \"0s\" (expected: a"
                + " duration like 500ms, 30s, 10m or 1h30m, 100ms..1h)",
            "sluice.yaml:6:89: apps[0].upstream.outlierDetection.maxEjectionPercent: 150"
                + " (expected: 0..100)",
            "sluice.yaml:7:34: apps[0].upstream.retryBudget.minPerSec: unknown field (expected:"
                + " 'minPerSecond'? one of minPerSecond, percent)",
            "sluice.yaml:8:19: apps[0].upstream.maxRetries: 9 (expected: 0..5)",
            "sluice.yaml:9:29: apps[0].upstream.maxPendingPerReplica: 10 (expected: 0 unless"
                + " maxConnectionsPerReplica is set (above 0))");
  }

  @Test
  void badRoutingIsExplained() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    routing:
                      routes:
                        - {match: {headers: {x-a: {regex: "(unclosed"}}}, version: canary}
                        - {match: {}, version: canary, trusted: [cafe]}
                      sticky: {ip: yes}
                """))
        .containsExactly(
            "sluice.yaml:7:43: apps[0].routing.routes[0].match.headers.x-a.regex: \"(unclosed\""
                + " (expected: a regular expression (Unclosed group))",
            "sluice.yaml:8:19: apps[0].routing.routes[1].match: an empty match (expected: at least"
                + " one of: headers, cookies, query, pathPrefix, host)",
            "sluice.yaml:8:50: apps[0].routing.routes[1].trusted[0]: \"cafe\" (expected: an IP"
                + " address range like 10.0.0.0/8)",
            "sluice.yaml:9:16: apps[0].routing.sticky.ip: unknown field (expected: one of cookie,"
                + " header, session)");
  }

  @Test
  void anExperimentNeedsTwoArmsWhoseWeightsAddUp() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    strategy:
                      experiment:
                        variants: [{version: a, weight: 60}, {version: b, weight: 30}]
                        duration: 1h
                        analysis: {metrics: [{name: p50, builtin: latency_p50}]}
                """))
        .containsExactly(
            "sluice.yaml:7:19: apps[0].strategy.experiment.variants: weights adding up to 90"
                + " (expected: weights that add up to 100)");
  }

  @Test
  void aShadowDefaultsToContinuingAsBlueGreen() throws SpecException {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    strategy: {shadow: {compare: {headers: [content-type], body: json, ignore: [/now]}}}
                """,
                "s.yaml")
            .apps()
            .get(0);
    StrategySpec.Shadow sh = (StrategySpec.Shadow) app.strategy();
    assertThat(sh.percent()).isEqualTo(100);
    assertThat(sh.then()).isEqualTo(StrategySpec.BlueGreen.defaults());
    assertThat(sh.compare())
        .isEqualTo(
            new StrategySpec.Shadow.Compare(
                true, java.util.List.of("content-type"), "json", java.util.List.of("/now")));
  }

  @Test
  void aFlagFileCanBeNamed() throws SpecException {
    Spec spec =
        SpecParser.parse(
            "flags: {file: flags.json}\napps: [{name: a, listen: \"127.0.0.1:0\", runtime: {process: {command: [x]}}}]\n",
            "s.yaml");
    assertThat(spec.flags()).isEqualTo(new FlagsSpec("flags.json"));
    assertThat(SpecParser.parse(GOOD, "sluice.yaml").flags()).isNull();
  }

  @Test
  void snapshotReadsBackToTheSameApp() throws SpecException {
    for (AppSpec app : SpecParser.parse(GOOD, "sluice.yaml").apps()) {
      assertThat(SpecParser.parseSnapshot(app.snapshot())).isEqualTo(app);
    }
  }

  @Test
  void unknownKeyIsNamedWithItsPositionAndASuggestion() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime:
                      process:
                        command: [./shop]
                        replica: 2
                """))
        .containsExactly(
            "sluice.yaml:7:9: apps[0].runtime.process.replica: unknown field (expected: 'replicas'?"
                + " one of command, env, replicas, stopGrace, workingDir)");
  }

  @Test
  void wrongTypeBadDurationAndWeightOutOfRangeAreEachReported() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime:
                      process:
                        command: [./shop]
                        replicas: "two"
                        stopGrace: 20 seconds
                    health:
                      healthyThreshold: 140
                """))
        .containsExactly(
            "sluice.yaml:7:19: apps[0].runtime.process.replicas: \"two\" (expected: an integer"
                + " 1..100)",
            "sluice.yaml:8:20: apps[0].runtime.process.stopGrace: \"20 seconds\" (expected: a"
                + " duration like 500ms, 30s, 10m or 1h30m, 0s..1h)",
            "sluice.yaml:10:25: apps[0].health.healthyThreshold: 140 (expected: 1..100)");
  }

  @Test
  void drainAndTunnelIdleTimeoutsAreReadAndBoundsChecked() throws SpecException {
    String app =
        """
        apps:
          - name: chat
            listen: 127.0.0.1:8080
            runtime: {static: {versions: {v1: [http://127.0.0.1:9001]}}}
            timeouts: {drain: %s, tunnelIdle: %s}
        """;
    AppSpec chat = SpecParser.parse(app.formatted("5s", "10m"), "sluice.yaml").apps().get(0);
    assertThat(chat.timeouts().drain()).isEqualTo(Duration.ofSeconds(5));
    assertThat(chat.timeouts().tunnelIdle()).isEqualTo(Duration.ofMinutes(10));
    assertThat(chat.timeouts().idle()).isEqualTo(TimeoutSpec.defaults().idle());
    assertThat(TimeoutSpec.defaults().drain()).isEqualTo(Duration.ofSeconds(30));
    assertThat(TimeoutSpec.defaults().tunnelIdle()).isEqualTo(Duration.ofHours(1));

    assertThat(problems(app.formatted("2h", "0s")))
        .containsExactly(
            "sluice.yaml:5:23: apps[0].timeouts.drain: \"2h\" (expected: a duration like 500ms,"
                + " 30s, 10m or 1h30m, 1ms..1h)",
            "sluice.yaml:5:39: apps[0].timeouts.tunnelIdle: \"0s\" (expected: a duration like"
                + " 500ms, 30s, 10m or 1h30m, 1s..24h)");
  }

  @Test
  void missingCommandIsReportedAtItsMapping() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime:
                      process:
                        replicas: 2
                """))
        .containsExactly(
            "sluice.yaml:6:9: apps[0].runtime.process.command: missing (expected: a non-empty list"
                + " of strings: the command of one replica)");
  }

  @Test
  void missingRuntimeNameAndBadListenAddress() {
    assertThat(
            problems(
                """
                apps:
                  - name: Shop
                    listen: 8080
                """))
        .containsExactly(
            "sluice.yaml:2:5: apps[0].runtime: missing (expected: exactly one of: process (Sluice"
                + " runs the versions), static (you run them), kubernetes (Deployments on"
                + " Kubernetes))",
            "sluice.yaml:2:11: apps[0].name: \"Shop\" (expected: an app name: lower-case letters,"
                + " digits and '-', starting with a letter, at most 63)",
            "sluice.yaml:3:13: apps[0].listen: 8080 (expected: HOST:PORT, e.g. 127.0.0.1:8080 or"
                + " [::1]:8080, port 0..65535)");
  }

  @Test
  void repeatedNamesAndAddressesAreRefused() {
    assertThat(
            problems(
                """
                apps:
                  - {name: a, listen: "127.0.0.1:8080", runtime: {process: {command: [x]}}}
                  - {name: a, listen: "127.0.0.1:8080", runtime: {process: {command: [x]}}}
                """))
        .containsExactly(
            "sluice.yaml:3:12: apps[1].name: \"a\" (expected: a name not used before"
                + " (apps[0].name))",
            "sluice.yaml:3:23: apps[1].listen: \"127.0.0.1:8080\" (expected: an address not used"
                + " before, or hosts or pathPrefix on every app that shares it (apps[0].listen))");
  }

  @Test
  void malformedYamlIsReportedWithItsPosition() {
    assertThat(problems("apps:\n  - name: [shop\n"))
        .singleElement()
        .asString()
        .startsWith("sluice.yaml:3:1: ")
        .endsWith("(expected: well-formed YAML)");
  }

  @Test
  void emptyDocumentAndEmptyAppList() {
    assertThat(problems(""))
        .containsExactly("sluice.yaml: an empty document (expected: a mapping with 'apps')");
    assertThat(problems("apps: []\n"))
        .containsExactly("sluice.yaml:1:7: apps: a list (expected: a list of at least one app)");
  }

  @Test
  void hookNeedsExactlyOneOfRunAndHttp() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    hooks:
                      prePromotion:
                        - {timeout: 5s}
                        - http: {url: ftp://x}
                """))
        .containsExactly(
            "sluice.yaml:7:11: apps[0].hooks.prePromotion[0]: neither run nor http (expected:"
                + " exactly one of: run, http)",
            "sluice.yaml:8:23: apps[0].hooks.prePromotion[1].http.url: \"ftp://x\" (expected: an"
                + " http URL with host and port, like http://127.0.0.1:9001)");
  }

  @Test
  void edgeFlagsNameTheFlagsAndWhereTheContextComesFrom() throws SpecException {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    edgeFlags:
                      keys: [new-checkout, banner]
                      targetingKey: {cookie: uid}
                      environment: production
                      context:
                        country: {header: x-country}
                """,
                "sluice.yaml")
            .app("shop")
            .orElseThrow();
    EdgeFlagsSpec e = app.edgeFlags();
    assertThat(e.keys()).containsExactly("new-checkout", "banner");
    assertThat(e.targetingKey())
        .isEqualTo(new EdgeFlagsSpec.Source(EdgeFlagsSpec.Source.Kind.COOKIE, "uid"));
    assertThat(e.context())
        .containsExactly(
            java.util.Map.entry(
                "country",
                new EdgeFlagsSpec.Source(EdgeFlagsSpec.Source.Kind.HEADER, "x-country")));
    assertThat(e.environment()).isEqualTo("production");
    assertThat(SpecParser.parseSnapshot(app.snapshot())).isEqualTo(app);
  }

  @Test
  void aComplexKeyAnywhereIsAProblemWithItsPlace() {
    // Found by SpecFuzzTest: a "? key" mapping inside a pod template, which is kept as JSON.
    assertThat(
            problems(
                """
                apps:
                  - name: web
                    listen: 127.0.0.1:8080
                    runtime:
                      kubernetes:
                        deploymentTemplate:
                          spec:
                            ? {a: 1}
                            : x
                """))
        .containsExactly(
            "sluice.yaml:8:15: apps[0].runtime.kubernetes.deploymentTemplate.spec: a non-scalar key"
                + " (expected: field names)");
  }

  @Test
  void badEdgeFlagsAreExplained() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    edgeFlags:
                      keys: [new-checkout, "bad key", New-Checkout]
                      targetingKey: {query: uid}
                      context:
                        country: {header: "x country"}
                        targetingKey: {header: x-user}
                """))
        .containsExactly(
            "sluice.yaml:6:28: apps[0].edgeFlags.keys[1]: \"bad key\" (expected: a flag key usable"
                + " in a header name: letters, digits, - _ . and !#$%&'*+^`|~)",
            "sluice.yaml:6:39: apps[0].edgeFlags.keys[2]: \"New-Checkout\" (expected: each key once"
                + " (header names ignore case))",
            "sluice.yaml:7:22: apps[0].edgeFlags.targetingKey.query: unknown field (expected: one of"
                + " cookie, header)",
            "sluice.yaml:9:27: apps[0].edgeFlags.context.country.header: \"x country\" (expected: a"
                + " header name)",
            "sluice.yaml:10:23: apps[0].edgeFlags.context.targetingKey: \"targetingKey\" (expected:"
                + " targetingKey set with edgeFlags.targetingKey)");
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    edgeFlags: {targetingKey: {header: x-user-id}}
                """))
        .hasSize(1)
        .allMatch(p -> p.contains("apps[0].edgeFlags.keys: missing"));
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                    edgeFlags:
                      keys: [banner]
                      environment: "pro duction"
                      context: {environment: {header: x-env}}
                """))
        .containsExactly(
            "sluice.yaml:7:20: apps[0].edgeFlags.environment: \"pro duction\" (expected: a flag"
                + " environment name: letters, digits, '.', '_' and '-')",
            "sluice.yaml:8:30: apps[0].edgeFlags.context.environment: \"environment\" (expected:"
                + " the flag environment set with edgeFlags.environment, not read from requests)");
  }
}
