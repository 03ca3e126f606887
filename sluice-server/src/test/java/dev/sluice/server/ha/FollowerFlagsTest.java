package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.store.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons on one PostgreSQL: a flag changed through the leader is served by the follower's
 * OFREP at once (it follows the flag versions), and the follower that takes over the lead changes
 * flags from the newest version. Prints how long each change took to reach the follower.
 */
class FollowerFlagsTest {
  private static final String FLAG =
      """
      {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "%s"}
      """;

  @TempDir Path dir;

  private static String variant(SharedDaemon d) throws Exception {
    return d.call(
            "POST",
            "/ofrep/v1/evaluate/flags/new-checkout",
            "{\"context\": {\"targetingKey\": \"u1\"}}")
        .body()
        .path("variant")
        .asText();
  }

  @Test
  void aFlagChangedThroughTheLeaderIsServedByTheFollowerWhichChangesFlagsOnceItLeads()
      throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.url(pg.createDatabase());
      Duration ttl = Duration.ofSeconds(2);
      try (SharedDaemon a = SharedDaemon.start(dir, "a", url, ttl, null);
          SharedDaemon b = SharedDaemon.start(dir, "b", url, ttl, a.stateDir())) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    a.call("POST", "/api/v1/flags/new-checkout", FLAG.formatted("off")).status()
                        == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> variant(b).equals("off"));

        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          String want = i % 2 == 0 ? "on" : "off";
          assertThat(a.call("POST", "/api/v1/flags/new-checkout", FLAG.formatted(want)).status())
              .isEqualTo(200);
          long t0 = System.nanoTime();
          await()
              .pollInterval(Duration.ofMillis(2))
              .atMost(Duration.ofSeconds(5))
              .until(() -> variant(b).equals(want));
          millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        System.out.println(
            "flag change on the leader -> follower's OFREP serves it, ms: " + millis);
        long version =
            a.call("GET", "/api/v1/flagset/versions", "").body().path("version").asLong();
        assertThat(b.call("GET", "/api/v1/flagset/versions", "").body().path("version").asLong())
            .isEqualTo(version);

        a.close(); // gives the lease up: b leads within about a second
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    b.call("POST", "/api/v1/flags/new-checkout", FLAG.formatted("on")).status()
                        == 200);
        assertThat(b.call("GET", "/api/v1/flagset/versions", "").body().path("version").asLong())
            .isEqualTo(version + 1);
      } finally {
        Replicas.killAll(url);
      }
    }
  }
}
