package dev.sluice.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.OutlierDetection;
import dev.sluice.router.RetryBudget;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The spec's upstream block reaches the router's listener options (docs/resilience.md). */
class ListenerOptionsFromSpecTest {

  private static AppSpec app(String upstream) throws Exception {
    return SpecParser.parse(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:8080
                runtime: {process: {command: [x]}}
            """
                + upstream,
            "sluice.yaml")
        .app("shop")
        .orElseThrow();
  }

  @Test
  void anAppWithoutAnUpstreamBlockGetsTheDocumentedDefaults() throws Exception {
    AppSpec shop = app("");
    ListenerOptions o = LocalPlatform.listenerOptions(shop, shop.listen());
    assertThat(o.outlierDetection()).isEqualTo(new OutlierDetection(5, Duration.ofSeconds(30), 50));
    assertThat(o.retryBudget()).isEqualTo(new RetryBudget(20, 3));
    assertThat(o.maxRetries()).isEqualTo(2);
    assertThat(o.maxConnectionsPerReplica()).isZero();
    assertThat(o.maxPendingPerReplica()).isZero();
  }

  @Test
  void theUpstreamBlockIsPassedOn() throws Exception {
    AppSpec shop =
        app(
            """
                upstream:
                  outlierDetection: {consecutiveFailures: 0}
                  maxRetries: 1
                  retryBudget: {percent: 10, minPerSecond: 1}
                  maxConnectionsPerReplica: 64
                  maxPendingPerReplica: 16
            """);
    ListenerOptions o = LocalPlatform.listenerOptions(shop, shop.listen());
    assertThat(o.outlierDetection().enabled()).isFalse();
    assertThat(o.maxRetries()).isEqualTo(1);
    assertThat(o.retryBudget()).isEqualTo(new RetryBudget(10, 1));
    assertThat(o.maxConnectionsPerReplica()).isEqualTo(64);
    assertThat(o.maxPendingPerReplica()).isEqualTo(16);
  }
}
