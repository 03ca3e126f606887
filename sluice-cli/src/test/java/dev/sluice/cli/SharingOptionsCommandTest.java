package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --store}, {@code --app-listen} and {@code sluice router}: what they refuse, and how. */
class SharingOptionsCommandTest {
  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  private Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Result(
          exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private Path spec() throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime: {process: {command: [app, "${version}"]}}
        """);
    return spec;
  }

  @Test
  void aRouterWithoutAStoreIsRefused() throws Exception {
    Result r = run("router", "-f", spec().toString(), "--state-dir", dir.resolve("r").toString());
    assertThat(r.exit()).isEqualTo(Main.REFUSED);
    assertThat(r.err())
        .contains("--store is required: a router-only process follows a leader through a shared");
  }

  @Test
  void aRouterOnAnSqliteStoreIsRefusedBecauseNothingCouldLeadIt() throws Exception {
    Result r =
        run(
            "router",
            "-f",
            spec().toString(),
            "--state-dir",
            dir.resolve("r").toString(),
            "--store",
            "sqlite:own.db");
    assertThat(r.exit()).isEqualTo(Main.REFUSED);
    assertThat(r.err())
        .contains("cannot start: a router-only process follows a leader through a shared store");
  }

  @Test
  void anUnknownStoreIsRefusedWithoutShowingItsPassword() throws Exception {
    Result r =
        run(
            "up",
            "-f",
            spec().toString(),
            "--state-dir",
            dir.resolve("a").toString(),
            "--api-listen",
            "127.0.0.1:0",
            "--store",
            "mysql://root:hunter2@db/x");
    assertThat(r.exit()).isEqualTo(Main.REFUSED);
    assertThat(r.err())
        .contains("cannot start: --store: \"mysql://root:hunter2@db/x\": unknown kind of store");
    Result pg =
        run(
            "up",
            "-f",
            spec().toString(),
            "--state-dir",
            dir.resolve("b").toString(),
            "--api-listen",
            "127.0.0.1:0",
            "--store",
            "postgres://u:hunter2@/x");
    assertThat(pg.exit()).isEqualTo(Main.REFUSED);
    assertThat(pg.err()).contains("postgres://u:***@/x").doesNotContain("hunter2");
  }

  @Test
  void aMalformedOrUnknownAppListenIsRefused() throws Exception {
    Result bad =
        run(
            "up",
            "-f",
            spec().toString(),
            "--state-dir",
            dir.resolve("a").toString(),
            "--app-listen",
            "shop:8080");
    assertThat(bad.exit()).isEqualTo(Main.REFUSED);
    assertThat(bad.err())
        .contains(
            "--app-listen: \"shop:8080\" (expected: APP=HOST:PORT, e.g. shop=127.0.0.1:18081)");
    Result unknown =
        run(
            "up",
            "-f",
            spec().toString(),
            "--state-dir",
            dir.resolve("b").toString(),
            "--app-listen",
            "cart=127.0.0.1:18081");
    assertThat(unknown.exit()).isEqualTo(Main.REFUSED);
    assertThat(unknown.err()).contains("--app-listen: no app named cart in the spec (apps: shop)");
  }
}
