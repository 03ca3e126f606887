package dev.sluice.server.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.spec.HookSpec;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {
  @TempDir Path dir;

  private HookRunner.Context ctx(String target) {
    return new HookRunner.Context("shop", 7, "prePromotion", "v2", "v1", target);
  }

  @Test
  void commandsSeeTheReleaseInTheirEnvironmentAndPassWithExitZero() throws Exception {
    try (HookRunner hooks = new HookRunner(dir.resolve("logs"), dir)) {
      HookOutcome o =
          hooks
              .run(
                  ctx("http://127.0.0.1:1"),
                  List.of(
                      new HookSpec.Run(
                          List.of(
                              "sh",
                              "-c",
                              "echo \"$SLUICE_APP $SLUICE_VERSION $SLUICE_STABLE $SLUICE_PHASE"
                                  + " $SLUICE_REVISION $SLUICE_PREVIEW\" > env.txt"),
                          Duration.ofSeconds(10))))
              .get();
      assertThat(o.passed()).isTrue();
      assertThat(Files.readString(dir.resolve("env.txt")))
          .isEqualTo("shop v2 v1 prePromotion 7 http://127.0.0.1:1\n");
    }
  }

  @Test
  void theFirstFailureEndsThePhaseAndSaysWhy() throws Exception {
    try (HookRunner hooks = new HookRunner(dir.resolve("logs"), dir)) {
      HookOutcome o =
          hooks
              .run(
                  ctx(null),
                  List.of(
                      new HookSpec.Run(
                          List.of("sh", "-c", "echo migrating; exit 3"), Duration.ofSeconds(10)),
                      new HookSpec.Run(List.of("touch", "never"), Duration.ofSeconds(10))))
              .get();
      assertThat(o.passed()).isFalse();
      assertThat(o.detail())
          .isEqualTo("sh -c echo migrating; exit 3: exit status 3 (output in hooks.log)");
      assertThat(dir.resolve("never")).doesNotExist();
      assertThat(Files.readString(dir.resolve("logs/shop/hooks.log"))).contains("migrating");
    }
  }

  @Test
  void aCommandPastItsTimeoutIsKilledAndFails() throws Exception {
    try (HookRunner hooks = new HookRunner(dir.resolve("logs"), dir)) {
      long start = System.nanoTime();
      HookOutcome o =
          hooks
              .run(
                  ctx(null),
                  List.of(new HookSpec.Run(List.of("sleep", "30"), Duration.ofMillis(300))))
              .get();
      assertThat(o.passed()).isFalse();
      assertThat(o.detail()).isEqualTo("sleep 30: timed out after 300ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void anHttpSmokeTestOfAPathGoesToTheNewVersion() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/smoke") ? 204 : 500, -1);
          ex.close();
        });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try (HookRunner hooks = new HookRunner(dir.resolve("logs"), dir)) {
      assertThat(
              hooks
                  .run(
                      ctx(base), List.of(new HookSpec.Http("/smoke", "GET", Duration.ofSeconds(5))))
                  .get()
                  .passed())
          .isTrue();
      HookOutcome bad =
          hooks
              .run(ctx(base), List.of(new HookSpec.Http("/broken", "POST", Duration.ofSeconds(5))))
              .get();
      assertThat(bad.detail()).isEqualTo("POST /broken: answered 500");
      HookOutcome nowhere =
          hooks
              .run(ctx(null), List.of(new HookSpec.Http("/smoke", "GET", Duration.ofSeconds(5))))
              .get();
      assertThat(nowhere.detail()).isEqualTo("GET /smoke: no address of v2 to call");
    } finally {
      server.stop(0);
    }
  }
}
