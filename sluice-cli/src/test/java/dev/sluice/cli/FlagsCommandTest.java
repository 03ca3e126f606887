package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.spec.HostPort;
import dev.sluice.flags.FlagSet;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice flags ...} and {@code sluice token create --environment}, run in process. */
class FlagsCommandTest {
  static final String FLAGS =
      """
      {"flags": {
        "new-checkout": {
          "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 10], ["off", 90]]},
          "metadata": {"owner": "team-checkout", "expires": "2020-12-31"}
        },
        "banner": {"state": "ENABLED", "variants": {"red": "#f00", "blue": "#00f"},
                   "defaultVariant": "red"}
      }}
      """;

  @TempDir static Path dir;
  static Daemon daemon;
  static Path stateDir;

  @BeforeAll
  static void start() throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime: {process: {command: [app, "${version}"]}}
        """);
    stateDir = dir.resolve("state");
    daemon =
        Daemon.start(Daemon.Options.of(spec, stateDir).withApiListen(new HostPort("127.0.0.1", 0)));
  }

  @AfterAll
  static void stop() {
    daemon.close();
  }

  /** What a command did. */
  record Run(int exit, String out, String err) {}

  static synchronized Run sluice(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(stateDir.toString());
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(all.toArray(String[]::new));
      return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @BeforeEach
  void importFlags() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, FLAGS);
    Run r = sluice("flags", "import", file.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  private static long version() {
    return daemon.flags().current().version();
  }

  @Test
  void importReportsTheVersionAndAnUnchangedImportSaysSo() throws Exception {
    Path file = dir.resolve("flags.json");
    Run again = sluice("flags", "import", file.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("it already was; nothing changed (version " + version());

    Path more = dir.resolve("more.json");
    Files.writeString(
        more,
        "{\"flags\": {\"dark-mode\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true},"
            + " \"defaultVariant\": \"on\"}}}");
    Run merged = sluice("flags", "import", more.toString(), "--merge");
    assertThat(merged.out())
        .contains("merged " + more + "; changed: dark-mode (flag set version " + version() + ")");
    assertThat(daemon.flags().current().flags().flags().keySet())
        .containsExactly("banner", "dark-mode", "new-checkout");
  }

  @Test
  void anInvalidFileIsRefusedWithEveryProblemAndChangesNothing() throws Exception {
    long before = version();
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"flags\": {\"a\": {\"state\": \"ON\", \"variants\": {\"on\": true},"
            + " \"defaultVariant\": \"of\"}}}");
    Run r = sluice("flags", "import", bad.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            bad + ": 2 problems",
            "  flags.a.state: \"ON\" (expected: ENABLED or DISABLED)",
            "  flags.a.defaultVariant: \"of\" (expected: one of the variants: on)",
            "nothing was imported");
    assertThat(sluice("flags", "import", dir.resolve("missing.json").toString()).err())
        .contains("no such file");
    assertThat(version()).isEqualTo(before);
  }

  @Test
  void listAndGetShowTheFlags() throws Exception {
    Run list = sluice("flags", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out())
        .contains("KEY", "banner", "new-checkout", "on 10 / off 90", "team-checkout", "2020-12-31")
        .contains("flag set version " + version());
    JsonNode json = Json.MAPPER.readTree(sluice("flags", "list", "-o", "json").out());
    assertThat(json.path("flags")).hasSize(2);

    Run get = sluice("flags", "get", "banner");
    assertThat(get.out()).contains("banner (string)", "default variant red", "\"#00f\"");
    Run missing = sluice("flags", "get", "nope");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("no flag named nope");
  }

  @Test
  void editsChangeTheFlagAndShowUpInItsHistory() throws Exception {
    long start = version();
    Run disable = sluice("flags", "disable", "banner", "--environment", "production");
    assertThat(disable.exit()).as(disable.toString()).isZero();
    assertThat(disable.out())
        .isEqualTo("disabled banner in production (flag set version " + (start + 1) + ")\n");
    assertThat(sluice("flags", "enable", "banner").out()).contains("it already was");
    assertThat(sluice("flags", "set-default", "banner", "blue").exit()).isZero();
    Run weights = sluice("flags", "set-weights", "new-checkout", "on=25", "off=75");
    assertThat(weights.exit()).as(weights.toString()).isZero();
    assertThat(version()).isEqualTo(start + 3);
    assertThat(
            daemon
                .flags()
                .current()
                .flags()
                .flag("new-checkout")
                .orElseThrow()
                .config()
                .targeting())
        .hasValueSatisfying(
            t -> assertThat(t.toString()).isEqualTo("{\"fractional\":[[\"on\",25],[\"off\",75]]}"));

    Run history = sluice("flags", "history", "banner");
    assertThat(history.out())
        .contains(
            "version " + (start + 1),
            "admin: disabled banner in production",
            "admin: set the default variant of banner to blue",
            "\"defaultVariant\":\"blue\"");

    Run badWeight = sluice("flags", "set-weights", "new-checkout", "on=half");
    assertThat(badWeight.exit()).isEqualTo(2);
    assertThat(badWeight.err()).contains("weight: \"on=half\"");
    Run badVariant = sluice("flags", "set-default", "banner", "green");
    assertThat(badVariant.exit()).isEqualTo(2);
    assertThat(badVariant.err()).contains("flags.banner.defaultVariant: \"green\"");
    assertThat(version()).isEqualTo(start + 3);

    assertThat(sluice("flags", "delete", "banner").out()).contains("deleted banner");
    assertThat(daemon.flags().current().flags().flags()).doesNotContainKey("banner");
  }

  @Test
  void exportPrintsTheSetAndPlainFlagdForOneEnvironment() throws Exception {
    sluice("flags", "disable", "banner", "-e", "eu");
    Run all = sluice("flags", "export");
    assertThat(all.exit()).isZero();
    assertThat(FlagSet.parse(all.out())).isEqualTo(daemon.flags().current().flags());
    JsonNode eu = Json.MAPPER.readTree(sluice("flags", "export", "--environment", "eu").out());
    assertThat(eu.at("/flags/banner/state").asText()).isEqualTo("DISABLED");
    assertThat(eu.at("/flags/banner").has("environments")).isFalse();
  }

  @Test
  void staleListsFlagsPastTheirExpiry() {
    Run r = sluice("flags", "stale", "--days", "30");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("new-checkout", "team-checkout", "expired on 2020-12-31");
    assertThat(r.out()).doesNotContain("banner");
  }

  @Test
  void aClientTokenWithAnEnvironmentEvaluatesThereAndCannotChangeFlags() throws Exception {
    Run create =
        sluice(
            "token",
            "create",
            "web-prod-" + version(),
            "--role",
            "client",
            "--environment",
            "production");
    assertThat(create.exit()).as(create.toString()).isZero();
    String token = create.out().trim();
    assertThat(create.err()).contains("client, environment production");
    assertThat(sluice("token", "list").out()).contains("production");

    Run refused = sluice("flags", "disable", "banner", "--token", token);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("has role client; this call needs operator");
  }
}
