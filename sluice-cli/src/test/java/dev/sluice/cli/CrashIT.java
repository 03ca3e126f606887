package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.demo.Load;
import dev.sluice.server.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the daemon with SIGKILL at 50 random moments of blue-green and canary releases under load,
 * restarts it each time, and checks what a crash must not break: the event log has no gap and no
 * duplicate, replicas that survived are adopted (same pid), not restarted, and every release ends
 * in the state its log implies.
 */
class CrashIT {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int KILLS = 50;

  private static String spec() {
    String command =
        "[%s, \"-XX:TieredStopAtLevel=1\", \"-XX:+UseSerialGC\", \"-Xmx48m\", \"-jar\", %s, sample-app, --version, \"${version}\"]"
            .formatted(Json.write(Sluice.JAVA), Json.write(Sluice.JAR.toAbsolutePath().toString()));
    return """
        apps:
          - name: bg
            listen: 127.0.0.1:0
            runtime: {process: {command: %s, replicas: 2, stopGrace: 2s}}
            health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 2}
            strategy: {blueGreen: {scaleDownDelay: 2s}}
          - name: can
            listen: 127.0.0.1:0
            runtime: {process: {command: %s, replicas: 2, stopGrace: 2s}}
            health: {path: /health, interval: 200ms, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 2}
            strategy:
              canary:
                scaleDownDelay: 1s
                steps: [{setWeight: 50}, {pause: {duration: 1s}}]
        """
        .formatted(command, command);
  }

  @Test
  void fiftyKillsLoseNoDecisionAndRestartNoHealthyReplica() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Sluice s = new Sluice(dir, spec()).up();
    Map<String, Integer> next = new HashMap<>(Map.of("bg", 1, "can", 1));
    int adoptedChecked = 0;
    List<String> log = new ArrayList<>();
    try (Load bg =
            Load.start(uri(s, "bg"), 2, Duration.ofMillis(10), 1_000_000, Duration.ofMinutes(10));
        Load can =
            Load.start(
                uri(s, "can"), 2, Duration.ofMillis(10), 1_000_000, Duration.ofMinutes(10))) {
      for (int kill = 0; kill < KILLS; kill++) {
        String app = kill % 2 == 0 ? "bg" : "can";
        JsonNode status = get(s, "/api/v1/apps/" + app);
        if (status.path("release").isNull() || status.path("release").path("done").asBoolean()) {
          String version = "v" + next.merge(app, 1, Integer::sum);
          post(s, "/api/v1/apps/" + app + "/deploy", "{\"version\":\"" + version + "\"}");
        }
        Thread.sleep(random.nextInt(2500));
        s.kill();
        Map<String, Long> alive = instances(s.stateDir);
        int round = kill;
        assertLogIsContiguous(s.stateDir);
        s.up();
        // every replica that was recorded running and is still wanted comes back with its pid
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> {
                  for (Map.Entry<String, Long> e : alive.entrySet()) {
                    if (!running(e.getValue())) {
                      continue; // stopped on purpose (a version that was draining)
                    }
                    String[] id = e.getKey().split("/");
                    JsonNode seen = get(s, "/api/v1/apps/" + id[0]);
                    if (!wanted(seen, id[1], Integer.parseInt(id[2]))) {
                      // no longer wanted after the restart (retired while the daemon was down):
                      // it must be stopped, not left behind
                      assertThat(running(e.getValue()))
                          .as("replica %s left running after restart %d", e.getKey(), round)
                          .isFalse();
                      continue;
                    }
                    Long pid = pidOf(seen, id[1], Integer.parseInt(id[2]));
                    assertThat(pid)
                        .as(
                            "replica %s after restart %d (seed %d); status %s; daemon log:%n%s",
                            e.getKey(), round, seed, app, tail(dir.resolve("daemon.log")))
                        .isEqualTo(e.getValue());
                  }
                });
        adoptedChecked += alive.size();
        log.add("kill " + kill + ": " + alive.size() + " replicas recorded");
      }
      // the releases finish after the last restart, as their logs say
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> done(get(s, "/api/v1/apps/bg")) && done(get(s, "/api/v1/apps/can")));
      for (String app : List.of("bg", "can")) {
        JsonNode status = get(s, "/api/v1/apps/" + app);
        JsonNode history = get(s, "/api/v1/apps/" + app + "/history").path("events");
        JsonNode lastTraffic = null;
        for (JsonNode e : history) {
          if (e.path("type").asText().equals("TrafficSet")) {
            lastTraffic = e.path("data").path("weights");
          }
        }
        assertThat(Json.MAPPER.readTree(status.path("weights").toString()))
            .as("%s: the router's weights are the log's last TrafficSet", app)
            .isEqualTo(lastTraffic);
        assertThat(status.path("lastEvent").asLong()).isEqualTo(history.size());
      }
    } finally {
      s.close();
    }
    assertLogIsContiguous(s.stateDir);
    assertThat(adoptedChecked).as("replicas checked for adoption").isGreaterThan(KILLS);
  }

  /** Alive and not a zombie (an orphan's exit is reaped by init only after a while). */
  private static boolean running(long pid) {
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static String tail(Path log) throws java.io.IOException {
    List<String> lines = java.nio.file.Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static boolean done(JsonNode app) {
    return app.path("release").path("done").asBoolean() && app.path("versions").size() == 1;
  }

  private static URI uri(Sluice s, String app) throws Exception {
    return URI.create("http://" + get(s, "/api/v1/apps/" + app).path("listen").asText() + "/");
  }

  /** Whether the app's state wants replica {@code index} of {@code version} to run. */
  private static boolean wanted(JsonNode app, String version, int index) {
    for (JsonNode v : app.path("versions")) {
      if (v.path("version").asText().equals(version)) {
        return index < v.path("replicas").asInt();
      }
    }
    return false;
  }

  private static Long pidOf(JsonNode app, String version, int index) {
    for (JsonNode v : app.path("versions")) {
      if (v.path("version").asText().equals(version)) {
        for (JsonNode i : v.path("instances")) {
          if (i.path("index").asInt() == index && i.path("state").asText().equals("running")) {
            return i.path("pid").asLong();
          }
        }
      }
    }
    return null;
  }

  /** The replicas the store records as running, by app/version/index. */
  private static Map<String, Long> instances(Path stateDir) throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + stateDir.resolve("sluice.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT app, version, idx, pid FROM instances")) {
      while (rs.next()) {
        out.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getInt(3), rs.getLong(4));
      }
    }
    return out;
  }

  /** Each app's events are numbered 1..n: nothing lost, nothing applied twice. */
  private static void assertLogIsContiguous(Path stateDir) throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + stateDir.resolve("sluice.db"));
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT app, COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM events GROUP BY app")) {
      while (rs.next()) {
        assertThat(rs.getLong(2)).as("events of %s", rs.getString(1)).isEqualTo(rs.getLong(3));
        assertThat(rs.getLong(4)).isEqualTo(1);
        assertThat(rs.getLong(5)).isEqualTo(rs.getLong(2));
      }
    }
  }

  private static JsonNode get(Sluice s, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(s.apiUrl() + path))
                .header("Authorization", "Bearer " + s.token())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(r.body());
  }

  private static void post(Sluice s, String path, String body) throws Exception {
    HTTP.send(
        HttpRequest.newBuilder(URI.create(s.apiUrl() + path))
            .header("Authorization", "Bearer " + s.token())
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
