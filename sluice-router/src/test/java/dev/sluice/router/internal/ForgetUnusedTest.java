package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.testing.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A router that sees a release a minute must not keep every version and replica it ever served:
 * what left every table is forgotten once nothing can read it. A fake ticker lets minutes pass.
 */
class ForgetUnusedTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RouterCore core =
      RouterCore.start(RouterOptions.defaults().withEventLoops(1).withTicker(now::get));

  @AfterEach
  void stop() {
    core.close();
  }

  private static RoutingTable table(String... versions) {
    List<RoutingTable.Version> out = new java.util.ArrayList<>();
    for (int i = 0; i < versions.length; i++) {
      // One replica per version, on a port of its own (no traffic is sent).
      Endpoint e =
          new Endpoint(versions[i] + "-0", "127.0.0.1", 40_000 + versions[i].hashCode() % 1000);
      out.add(
          new RoutingTable.Version(versions[i], i == versions.length - 1 ? 100 : 0, List.of(e)));
    }
    return new RoutingTable(out);
  }

  private MetricsRegistry metrics() {
    return (MetricsRegistry) core.metrics();
  }

  private void advance(Duration d) {
    metrics().flushAll();
    now.addAndGet(d.toNanos());
  }

  @Test
  void versionsAndReplicasThatLeftEveryTableAreForgottenAfterTheLongestWindow() throws Exception {
    Listener l = core.listen(ListenerOptions.of("shop", Fixtures.ANY_PORT));
    l.update(table("v1", "v2"));
    assertThat(metrics().versionCount()).isEqualTo(2);
    assertThat(core.endpointStates()).isEqualTo(2);

    l.update(table("v2"));
    advance(Duration.ofMinutes(5));
    core.forgetUnused();
    // five minutes after v1 left: its windows could still be read
    assertThat(metrics().versionCount()).isEqualTo(2);
    assertThat(core.endpointStates()).isEqualTo(2);

    advance(Duration.ofMinutes(6));
    core.forgetUnused();
    assertThat(metrics().versionCount()).isEqualTo(1);
    assertThat(metrics().window("shop", "v1", Duration.ofMinutes(10)).requests()).isZero();
    assertThat(core.endpointStates()).isEqualTo(1);
    // v2 stays, although it had no traffic either: it is in the table
    StringBuilder prom = new StringBuilder();
    metrics().writePrometheus(prom);
    assertThat(prom).contains("version=\"v2\"").doesNotContain("version=\"v1\"");

    // v1 back in a table: new metrics and state, from zero
    l.update(table("v1", "v2"));
    assertThat(metrics().versionCount()).isEqualTo(2);
    assertThat(core.endpointStates()).isEqualTo(2);
  }

  @Test
  void aVersionWithARequestInFlightIsKept() {
    Listener l = core.listen(ListenerOptions.of("shop", Fixtures.ANY_PORT));
    l.update(table("v1", "v2"));
    VersionMetrics v1 = metrics().of("shop", "v1");
    v1.started(0);
    l.update(table("v2"));
    advance(Duration.ofMinutes(11));
    core.forgetUnused();
    assertThat(metrics().versionCount()).isEqualTo(2);
    v1.completed(0, 200, 1_000);
    advance(Duration.ofMinutes(11));
    core.forgetUnused();
    assertThat(metrics().versionCount()).isEqualTo(1);
  }
}
