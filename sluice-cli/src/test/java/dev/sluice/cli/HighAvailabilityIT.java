package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.demo.Load;
import dev.sluice.server.api.Json;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Store;
import dev.sluice.store.testing.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: three {@code sluice} processes on one PostgreSQL (two {@code up}, one {@code router}),
 * each with its own listen address; the leader is killed with SIGKILL in the middle of a canary
 * under load. A follower takes over within 10 s, adopts the replicas, and the canary completes; no
 * request through the surviving routers fails.
 */
class HighAvailabilityIT {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One sluice process of the group. */
  private final class Member {
    final String name;
    final Path state;
    final int listen;
    Process process;

    Member(String name, int listen) {
      this.name = name;
      this.state = dir.resolve(name);
      this.listen = listen;
    }

    Member start(String command, String store, Path spec) throws Exception {
      Files.createDirectories(state);
      List<String> args = new ArrayList<>();
      args.add(Sluice.JAVA);
      args.add("--enable-native-access=ALL-UNNAMED");
      args.add("-Xmx192m");
      args.add("-XX:TieredStopAtLevel=1");
      args.add("-jar");
      args.add(Sluice.JAR.toAbsolutePath().toString());
      args.addAll(
          List.of(
              command,
              "-f",
              spec.toString(),
              "--state-dir",
              state.toString(),
              "--api-listen",
              "127.0.0.1:0",
              "--store",
              store,
              "--app-listen",
              "shop=127.0.0.1:" + listen));
      process =
          new ProcessBuilder(args)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
              .start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(state.resolve("api.addr")) || !process.isAlive());
      assertThat(process.isAlive()).as("%s started: %s", name, Files.readString(log())).isTrue();
      return this;
    }

    Path log() {
      return dir.resolve(name + ".log");
    }

    String api() throws IOException {
      return Files.readString(state.resolve("api.addr")).trim();
    }

    URI listener() {
      return URI.create("http://127.0.0.1:" + listen + "/");
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
      String token = Files.readString(state.resolve("admin.token")).trim();
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(api() + path))
              .header("Authorization", "Bearer " + token)
              .timeout(Duration.ofSeconds(30));
      b =
          method.equals("GET")
              ? b.GET()
              : b.method(method, HttpRequest.BodyPublishers.ofString(body));
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode app() throws Exception {
      return Json.MAPPER.readTree(call("GET", "/api/v1/apps/shop", "").body());
    }

    void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void killingTheLeaderMidCanaryHandsOverWithinTenSecondsWithoutAFailedRequest() throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        Sluice.sampleSpec(
            2,
            """
            canary:
                    scaleDownDelay: 1s
                    steps: [{setWeight: 30}, {pause: {duration: 5s}}, {setWeight: 60}, {pause: {duration: 3s}}]"""));
    List<Member> members = new ArrayList<>();
    try (PostgresServer pg = PostgresServer.start()) {
      String store = pg.url(pg.createDatabase());
      try {
        Member a = new Member("a", freePort()).start("up", store, spec);
        members.add(a);
        Member b = new Member("b", freePort());
        Member r = new Member("r", freePort());
        // processes that share a store share its tokens: the CLI of each uses the same one
        for (Member m : List.of(b, r)) {
          Files.createDirectories(m.state);
          Files.copy(a.state.resolve("admin.token"), m.state.resolve("admin.token"));
        }
        members.add(b.start("up", store, spec));
        members.add(r.start("router", store, spec));

        assertThat(a.call("POST", "/api/v1/apps/shop/deploy", "{\"version\":\"v1\"}").statusCode())
            .isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> done(a.app()));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.app().path("weights").path("v1").asInt() == 100);

        try (Load viaB =
                Load.start(b.listener(), 2, Duration.ofMillis(5), 100_000, Duration.ofMinutes(3));
            Load viaR =
                Load.start(r.listener(), 2, Duration.ofMillis(5), 100_000, Duration.ofMinutes(3))) {
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> viaB.total() > 50 && viaR.total() > 50);
          assertThat(
                  a.call("POST", "/api/v1/apps/shop/deploy", "{\"version\":\"v2\"}").statusCode())
              .isEqualTo(202);
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> b.app().path("weights").path("v2").asInt() == 30);
          Map<String, Long> before = instances(store);

          a.process.destroyForcibly(); // SIGKILL, mid-canary
          long killed = System.nanoTime();
          a.process.waitFor();

          await()
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      b.call("POST", "/api/v1/tokens", "{\"name\":\"probe\",\"role\":\"viewer\"}")
                              .statusCode()
                          != 503);
          long takeoverMillis = (System.nanoTime() - killed) / 1_000_000;
          System.out.println("takeover after SIGKILL of the leader: " + takeoverMillis + " ms");
          assertThat(takeoverMillis).isLessThan(10_000);
          // the router-only process refuses commands and names the new leader (once it read the
          // lease again, within a second)
          await()
              .atMost(Duration.ofSeconds(5))
              .untilAsserted(
                  () -> {
                    HttpResponse<String> refused =
                        r.call("POST", "/api/v1/apps/shop/promote", "{}");
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.body()).contains("send this to the leader at " + b.api());
                  });

          await().atMost(Duration.ofSeconds(60)).until(() -> done(b.app()));
          JsonNode after = b.app();
          assertThat(after.path("release").path("status").asText()).isEqualTo("Succeeded");
          assertThat(after.path("weights").path("v2").asInt()).isEqualTo(100);
          // the v2 replicas that ran before the kill were adopted, not restarted
          Map<String, Long> now = instances(store);
          for (Map.Entry<String, Long> e : before.entrySet()) {
            if (e.getKey().startsWith("shop/v2/")) {
              assertThat(now.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
            }
          }
          await().atMost(Duration.ofSeconds(10)).until(() -> viaR.byVersion().containsKey("v2"));
          long v2 = viaR.byVersion().get("v2");
          await().atMost(Duration.ofSeconds(10)).until(() -> viaR.byVersion().get("v2") > v2 + 50);
          viaB.stop();
          viaR.stop();
          assertThat(viaB.failures()).as("failed requests through b").isEmpty();
          assertThat(viaR.failures()).as("failed requests through the router").isEmpty();
          assertThat(viaB.total() + viaR.total()).isGreaterThan(500);
        }
        // the database password is in every process's --store, and nowhere in what they say
        for (Member m : members) {
          assertThat(Files.readString(m.log()))
              .as("%s's log", m.name)
              .contains("PostgreSQL store postgres://postgres@127.0.0.1:")
              .doesNotContain(PostgresServer.PASSWORD);
        }
        for (String path :
            List.of("/api/v1/apps/shop", "/api/v1/apps/shop/history", "/healthz", "/metrics")) {
          assertThat(b.call("GET", path, "").body()).doesNotContain(PostgresServer.PASSWORD);
        }
      } finally {
        for (Member m : members) {
          m.stop();
        }
        // processes on a shared store leave the replicas to the next leader: stop them here
        for (long pid : instances(store).values()) {
          ProcessHandle.of(pid)
              .ifPresent(
                  p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                  });
        }
      }
    }
  }

  private static boolean done(JsonNode app) {
    return app.path("release").path("done").asBoolean() && app.path("versions").size() == 1;
  }

  /** Replica pids by {@code app/version/index}, as the store records them. */
  private static Map<String, Long> instances(String store) {
    Map<String, Long> out = new HashMap<>();
    try (Store s = Store.open(store, Path.of("."))) {
      for (InstanceRecord i : s.instances()) {
        out.put(i.app() + "/" + i.version() + "/" + i.index(), i.pid());
      }
    } catch (RuntimeException e) {
      // the database is gone: nothing to find
    }
    return out;
  }
}
