package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.store.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: when the store fails in the middle of a release, Sluice stops deciding, keeps routing
 * with the table it has, says so on {@code /healthz}, and carries on when the store is back. The
 * store is a real PostgreSQL, stopped (a fast shutdown: connections cut) and started again.
 */
class StoreFailureTest {
  @TempDir Path dir;

  @Test
  void aReleaseWaitsOutAStoppedDatabaseWithoutAFailedRequestAndCompletesWhenItReturns()
      throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.url(pg.createDatabase());
      try (SharedDaemon d = SharedDaemon.start(dir, "a", url, Duration.ofSeconds(2), null)) {
        assertThat(d.deploy("v1").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> done(d.app()));
        try (Load load = Load.start(d.listener())) {
          assertThat(d.deploy("v2").status()).isEqualTo(202);
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> d.app().path("weights").path("v2").asInt() == 30);
          long seq = d.app().path("lastEvent").asLong();

          pg.stop();
          try {
            await()
                .atMost(Duration.ofSeconds(15))
                .untilAsserted(
                    () -> {
                      SharedDaemon.Answer h = d.healthz();
                      assertThat(h.status()).isEqualTo(503);
                      assertThat(h.body().path("store").asText())
                          .contains("PostgreSQL store postgres://postgres@127.0.0.1:")
                          .doesNotContain(PostgresServer.PASSWORD);
                    });
            // longer than the canary's pause and the lease: nothing is decided meanwhile, and
            // the router keeps the split it had
            await()
                .during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(6))
                .until(
                    () -> {
                      JsonNode app = d.app();
                      return app.path("weights").path("v2").asInt() == 30
                          && app.path("lastEvent").asLong() == seq;
                    });
            long before = load.answered("v1") + load.answered("v2");
            await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> load.answered("v1") + load.answered("v2") > before + 50);
          } finally {
            pg.restart();
          }

          await().atMost(Duration.ofSeconds(40)).until(() -> done(d.app()));
          assertThat(d.app().path("release").path("status").asText()).isEqualTo("Succeeded");
          assertThat(d.app().path("weights").path("v2").asInt()).isEqualTo(100);
          await().atMost(Duration.ofSeconds(10)).until(() -> d.healthz().status() == 200);
          load.close();
          assertThat(load.failures()).isEmpty();
          assertThat(load.answered("v2")).isPositive();
        }
      } finally {
        Replicas.killAll(url);
      }
    }
  }

  static boolean done(JsonNode app) {
    return app.path("release").path("done").asBoolean() && app.path("versions").size() == 1;
  }
}
