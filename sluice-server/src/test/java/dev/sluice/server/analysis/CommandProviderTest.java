package dev.sluice.server.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.router.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command provider with small shell scripts in the spec's directory. */
class CommandProviderTest {
  @TempDir static Path dir;

  private static Router router;
  private static Analyzer analyzer;

  @BeforeAll
  static void start() {
    router = Traffic.router();
    analyzer = Analyzer.create(router.metrics(), dir);
  }

  @AfterAll
  static void stop() {
    analyzer.close();
    router.close();
  }

  private static String script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    assertThat(p.toFile().setExecutable(true)).isTrue();
    return "./" + name;
  }

  private static MetricSpec command(String name, String program, Duration timeout, Conditions c) {
    return MetricSpec.of(name, new MetricSpec.Command(List.of(program), timeout), c);
  }

  private static List<String> measure(MetricSpec... metrics) {
    AnalysisResult r =
        analyzer
            .analyze(
                AnalysisSpec.of(List.of(metrics)).withMinRequests(0),
                "shop",
                "v1",
                "v2",
                Duration.ofSeconds(30))
            .join();
    return r.measurements().stream().map(Measurement::describe).toList();
  }

  @Test
  void exitStatusZeroPassesAndAnyOtherFailsWithWhatItSaid() throws IOException {
    assertThat(
            measure(
                command("ok", script("ok.sh", "exit 0"), Duration.ofSeconds(10), Conditions.NONE),
                command(
                    "down",
                    script("down.sh", "echo checking\necho 'db down' >&2\nexit 3"),
                    Duration.ofSeconds(10),
                    Conditions.NONE)))
        .containsExactly("ok: Pass (exit status 0)", "down: Fail (exit status 3: db down)");
  }

  @Test
  void withConditionsTheLastLinePrintedIsTheNumber() throws IOException {
    String lag = script("lag.sh", "echo 'measuring lag'\necho 12.5\necho");
    assertThat(
            measure(
                command("lag", lag, Duration.ofSeconds(10), Conditions.max(10)),
                command("lag-ok", lag, Duration.ofSeconds(10), Conditions.max(20)),
                command(
                    "words",
                    script("words.sh", "echo lots"),
                    Duration.ofSeconds(10),
                    Conditions.max(10))))
        .containsExactly(
            "lag 12.5: High (12.5 > max 10)",
            "lag-ok 12.5: Pass",
            "words: Error (./words.sh printed \"lots\" (expected: a number on its last line))");
  }

  @Test
  void theCommandKnowsWhatItMeasures() throws IOException {
    String check =
        script(
            "env.sh",
            "[ \"$SLUICE_APP\" = shop ] && [ \"$SLUICE_VERSION\" = v2 ] && [ \"$SLUICE_CANARY\" = v2 ]"
                + " && [ \"$SLUICE_STABLE\" = v1 ] && [ \"$SLUICE_WINDOW\" = 30 ] && exit 0\n"
                + "echo \"$SLUICE_APP $SLUICE_VERSION $SLUICE_CANARY $SLUICE_STABLE $SLUICE_WINDOW\"\n"
                + "exit 1");
    assertThat(measure(command("env", check, Duration.ofSeconds(10), Conditions.NONE)))
        .containsExactly("env: Pass (exit status 0)");
  }

  @Test
  void aCommandPastItsTimeoutIsKilledWithItsChildrenAndIsAnError() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    String slow = script("slow.sh", "sleep 30 &\necho $! > child.pid\nwait");
    assertThat(measure(command("slow", slow, Duration.ofMillis(500), Conditions.NONE)))
        .containsExactly("slow: Error (./slow.sh did not finish within 500ms)");
    long child = Long.parseLong(Files.readString(pidFile).trim());
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void aCommandThatCannotStartIsAnError() {
    List<String> out =
        measure(command("nope", "./does-not-exist.sh", Duration.ofSeconds(1), Conditions.NONE));
    assertThat(out)
        .singleElement()
        .asString()
        .startsWith("nope: Error (cannot run ./does-not-exist.sh: ");
  }
}
