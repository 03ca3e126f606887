package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.store.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons on one PostgreSQL: the first leads; the second follows, routing by the leader's
 * decisions to the leader's replicas, showing the leader's state, and refusing commands with the
 * leader's address. (The takeover, with the leader killed, is sluice-cli's HighAvailabilityIT, with
 * real processes.)
 */
class FollowerTest {
  @TempDir Path dir;

  @Test
  void aFollowerRoutesLikeTheLeaderShowsItsStateAndSendsCommandsToIt() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.url(pg.createDatabase());
      Duration ttl = Duration.ofSeconds(2);
      try (SharedDaemon a = SharedDaemon.start(dir, "a", url, ttl, null);
          SharedDaemon b = SharedDaemon.start(dir, "b", url, ttl, a.stateDir())) {
        assertThat(a.deploy("v1").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> StoreFailureTest.done(a.app()));

        try (Load load = Load.start(b.listener())) {
          await().atMost(Duration.ofSeconds(10)).until(() -> load.answered("v1") > 20);
          assertThat(a.deploy("v2").status()).isEqualTo(202);
          // the follower's router moves with the leader's canary steps
          await().atMost(Duration.ofSeconds(20)).until(() -> load.answered("v2") > 20);
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> b.app().path("weights").path("v2").asInt() == 30);
          await().atMost(Duration.ofSeconds(40)).until(() -> StoreFailureTest.done(b.app()));
          assertThat(b.app().path("weights").path("v2").asInt()).isEqualTo(100);
          long v1 = load.answered("v1");
          await().atMost(Duration.ofSeconds(10)).until(() -> load.answered("v2") > 100);
          assertThat(load.answered("v1")).as("v1 gets nothing once v2 has 100%").isEqualTo(v1);
          load.close();
          assertThat(load.failures()).isEmpty();
        }
        assertThat(b.app().path("lastEvent").asLong())
            .isEqualTo(a.app().path("lastEvent").asLong());

        SharedDaemon.Answer refused = b.deploy("v3");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body().path("error").asText())
            .isEqualTo(
                "this Sluice process does not lead, so its API is read-only; send this to the"
                    + " leader at "
                    + a.daemon.apiUrl());
        assertThat(
                b.call("POST", "/api/v1/tokens", "{\"name\":\"x\",\"role\":\"viewer\"}").status())
            .isEqualTo(503);
        assertThat(b.call("POST", "/api/v1/validate", "apps: []").status()).isNotEqualTo(503);
        assertThat(b.healthz().status()).isEqualTo(200);
        assertThat(a.app().path("lastEvent").asLong())
            .as("the refused deploy changed nothing")
            .isEqualTo(b.app().path("lastEvent").asLong());
        b.close(); // the follower first: the leader's close then stops the replicas
      } finally {
        Replicas.killAll(url);
      }
    }
  }
}
