package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the spec reader (YAML parsing and every field's validation) with arbitrary text.
 *
 * <p>Whatever the input, {@link SpecParser#parse(String, String)} either returns a spec or throws a
 * {@link SpecException} whose every problem names the input and says what was expected; any other
 * exception, or a spec whose release snapshot does not read back to the same app, is a finding. In
 * {@code mvn verify} the seeds under {@code SpecFuzzTestInputs} run as regression tests and the
 * {@code fuzz} surefire execution fuzzes for a few seconds; docs/fuzzing.md has the longer run.
 */
class SpecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  @Timeout(10)
  @DictionaryEntries({
    "apps:",
    "- name: ",
    "listen: 127.0.0.1:0",
    "runtime:",
    "process:",
    "command: [",
    "static:",
    "versions:",
    "kubernetes:",
    "replicas: ",
    "stopGrace: ",
    "health:",
    "timeouts:",
    "upstream:",
    "outlierDetection: {consecutiveFailures: ",
    "retryBudget: {percent: ",
    "maxConnectionsPerReplica: ",
    "maxPendingPerReplica: ",
    "strategy:",
    "blueGreen:",
    "canary:",
    "rolling:",
    "steps:",
    "setWeight: ",
    "pause: {duration: ",
    "analysis:",
    "metrics:",
    "builtin: error_rate",
    "prometheus:",
    "hooks:",
    "prePromotion:",
    "notifications:",
    "webhook: ",
    "1h30m",
    "500ms",
    "[::1]:8080",
    "${version}",
    "&a ",
    "*a",
    "!!str ",
  })
  void specIsReadOrEveryProblemIsExplained(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Spec spec;
    try {
      spec = SpecParser.parse(text, "fuzz.yaml");
    } catch (SpecException e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(e.problems()).isNotEmpty();
      for (Problem p : e.problems()) {
        assertThat(p.source()).isEqualTo("fuzz.yaml");
        assertThat(p.line()).isNotNegative();
        assertThat(p.column()).isNotNegative();
        assertThat(p.value()).as("the value of %s", p).isNotNull();
        assertThat(p.expected()).as("what %s expected", p).isNotBlank();
      }
      return;
    }
    assertThat(spec.apps()).isNotEmpty();
    for (AppSpec app : spec.apps()) {
      // A release keeps its app's snapshot and runs with it after a restart or a rollback: it
      // must read back to the very same app.
      AppSpec again;
      try {
        again = SpecParser.parseSnapshot(app.snapshot());
      } catch (SpecException e) {
        throw new AssertionError(
            "the snapshot of " + app.name() + " does not read back: " + e.getMessage(), e);
      }
      assertThat(again).isEqualTo(app);
    }
  }
}
