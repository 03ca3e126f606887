package dev.sluice.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Value;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider against a real Sluice daemon: load, live changes, outage, recovery. */
class SluiceProviderTest {
  static final String FLAGS =
      """
      {"flags": {
        "new-checkout": {
          "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "on", null]},
          "metadata": {"owner": "team-checkout"},
          "environments": {"production": {"state": "DISABLED"}}
        },
        "banner": {"state": "ENABLED", "variants": {"red": "#f00", "blue": "#00f"},
                   "defaultVariant": "red"},
        "page-size": {"state": "ENABLED", "variants": {"small": 10, "big": 50},
                      "defaultVariant": "big"},
        "ratio": {"state": "ENABLED", "variants": {"low": 0.25}, "defaultVariant": "low"},
        "limits": {"state": "ENABLED", "variants": {"std": {"rps": 100, "burst": [1, 2]}},
                   "defaultVariant": "std"}
      }}
      """;

  private static final AtomicInteger DOMAINS = new AtomicInteger();

  @TempDir Path dir;
  private SluiceServer server;
  private SluiceProvider provider;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.shutdown();
    }
    if (server != null) {
      server.close();
    }
  }

  private Client connect(SluiceProvider p) {
    String domain = "sluice-test-" + DOMAINS.incrementAndGet();
    Client client = OpenFeatureAPI.getInstance().getClient(domain);
    client.onProviderReady(e -> events.add("READY"));
    client.onProviderStale(e -> events.add("STALE"));
    client.onProviderError(e -> events.add("ERROR"));
    client.onProviderConfigurationChanged(e -> events.add("CHANGED " + flags(e)));
    provider = p;
    try {
      OpenFeatureAPI.getInstance().setProviderAndWait(domain, p);
    } catch (RuntimeException e) {
      events.add("init failed: " + e.getMessage());
    }
    return client;
  }

  private static List<String> flags(EventDetails e) {
    return e.getFlagsChanged() == null ? List.of() : e.getFlagsChanged();
  }

  private SluiceProvider.Builder builder(String url, String token) {
    return SluiceProvider.builder(url)
        .token(token)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
        .initTimeout(Duration.ofSeconds(5))
        .reportInterval(Duration.ofMillis(200));
  }

  @Test
  void itLoadsTheFlagsAndEvaluatesThemInProcess() throws Exception {
    server = SluiceServer.start(dir, 0);
    server.call("POST", "/api/v1/flagset", FLAGS);
    Client client = connect(builder(server.url(), server.clientToken("app", null)).build());

    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    assertThat(provider.version()).isEqualTo(1);
    FlagEvaluationDetails<Boolean> checkout =
        client.getBooleanDetails(
            "new-checkout", false, new MutableContext("user-1").add("email", "ada@example.com"));
    assertThat(checkout.getValue()).isTrue();
    assertThat(checkout.getVariant()).isEqualTo("on");
    assertThat(checkout.getReason()).isEqualTo("TARGETING_MATCH");
    assertThat(checkout.getFlagMetadata().getString("owner")).isEqualTo("team-checkout");
    assertThat(client.getBooleanValue("new-checkout", true, new ImmutableContext("user-2")))
        .isFalse();
    assertThat(client.getStringValue("banner", "none")).isEqualTo("#f00");
    assertThat(client.getIntegerValue("page-size", 1)).isEqualTo(50);
    assertThat(client.getDoubleValue("ratio", 1.0)).isEqualTo(0.25);
    Value limits = client.getObjectValue("limits", new Value());
    assertThat(limits.asStructure().getValue("rps").asInteger()).isEqualTo(100);
    assertThat(limits.asStructure().getValue("burst").asList()).hasSize(2);

    FlagEvaluationDetails<String> missing = client.getStringDetails("nope", "fallback");
    assertThat(missing.getValue()).isEqualTo("fallback");
    assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    FlagEvaluationDetails<Integer> wrongType = client.getIntegerDetails("banner", 7);
    assertThat(wrongType.getValue()).isEqualTo(7);
    assertThat(wrongType.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);

    // the flags evaluated here are reported, so the server does not call them unused
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.daemon.flags().lastEvaluated().containsKey("page-size"));
    assertThat(server.daemon.flags().lastEvaluated()).doesNotContainKey("nope");
  }

  @Test
  void aChangeOnTheServerIsSeenWithinASecond() throws Exception {
    server = SluiceServer.start(dir, 0);
    server.call("POST", "/api/v1/flagset", FLAGS);
    Client client = connect(builder(server.url(), server.clientToken("app", null)).build());
    assertThat(client.getStringValue("banner", "none")).isEqualTo("#f00");

    server.call("POST", "/api/v1/flags/banner/default", "{\"variant\": \"blue\"}");
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> client.getStringValue("banner", "none").equals("#00f"));
    await().atMost(Duration.ofSeconds(1)).until(() -> events.contains("CHANGED [banner]"));
    assertThat(provider.version()).isEqualTo(2);
  }

  @Test
  void whenTheServerGoesAwayTheLastSetIsServedUntilItComesBack() throws Exception {
    server = SluiceServer.start(dir, 0);
    int port = server.port();
    server.call("POST", "/api/v1/flagset", FLAGS);
    String token = server.clientToken("app", null);
    Client client = connect(builder(server.url(), token).build());
    server.call("POST", "/api/v1/flags/banner/default", "{\"variant\": \"blue\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("CHANGED [banner]"));

    server.close();
    server = null;
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("STALE"));
    assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
    assertThat(client.getStringValue("banner", "none")).isEqualTo("#00f");
    assertThat(
            client.getBooleanValue(
                "new-checkout", false, new MutableContext("u").add("email", "x@example.com")))
        .isTrue();

    server = SluiceServer.start(dir, port);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.lastIndexOf("READY") > events.indexOf("STALE"));
    assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    server.call("POST", "/api/v1/flags/banner/disable", "{}");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.getStringValue("banner", "none").equals("none"));
    assertThat(client.getStringDetails("banner", "none").getReason()).isEqualTo("DISABLED");
  }

  @Test
  void aProviderStartedBeforeTheServerBecomesReadyWhenTheServerArrives() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // the daemon will take the admin token it finds in its state directory
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/admin.token"), "slc_known_in_advance\n");
    Client client =
        connect(
            builder("http://127.0.0.1:" + port, "slc_known_in_advance")
                .initTimeout(Duration.ofMillis(300))
                .build());
    assertThat(events)
        .anyMatch(
            e -> e.startsWith("init failed: no flags from Sluice within PT0.3S: cannot reach"))
        .anyMatch(e -> e.contains("connection refused"));
    assertThat(client.getProviderState()).isEqualTo(ProviderState.ERROR);
    assertThat(client.getStringValue("banner", "none")).isEqualTo("none");

    server = SluiceServer.start(dir, port);
    server.call("POST", "/api/v1/flagset", FLAGS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.getStringValue("banner", "none").equals("#f00"));
    // The SDK moves the client to READY on its event thread, a moment after the provider
    // announced it (flags may be served just before): wait for it rather than race it.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.getProviderState() == ProviderState.READY && events.contains("READY"));
  }

  @Test
  void aTokenWithAnEnvironmentEvaluatesInIt() throws Exception {
    server = SluiceServer.start(dir, 0);
    server.call("POST", "/api/v1/flagset", FLAGS);
    Client prod = connect(builder(server.url(), server.clientToken("prod", "production")).build());
    FlagEvaluationDetails<Boolean> d =
        prod.getBooleanDetails(
            "new-checkout",
            false,
            new MutableContext("u").add("email", "a@example.com").add("environment", "staging"));
    assertThat(d.getReason()).isEqualTo("DISABLED");
    assertThat(d.getValue()).isFalse();
    assertThat(provider.flags().flag("new-checkout").orElseThrow().environments()).isEmpty();
  }

  @Test
  void aRefusedTokenIsAnError() throws Exception {
    server = SluiceServer.start(dir, 0);
    Client client =
        connect(builder(server.url(), "slc_nope").initTimeout(Duration.ofMillis(500)).build());
    assertThat(events)
        .anyMatch(
            e -> e.contains("the token was refused (the token is not valid (unknown or revoked))"));
    assertThat(client.getProviderState()).isEqualTo(ProviderState.ERROR);
    assertThat(client.getBooleanValue("new-checkout", true)).isTrue();
  }
}
