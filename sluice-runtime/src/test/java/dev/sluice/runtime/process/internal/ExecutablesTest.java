package dev.sluice.runtime.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {
  @TempDir Path dir;

  @Test
  void aProgramIsFoundOnThePathTheChildWillHave() throws IOException {
    Path app = dir.resolve("shop-app");
    Files.writeString(app, "#!/bin/sh\n");
    Files.setPosixFilePermissions(app, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThat(Executables.problem(List.of("shop-app"), Map.of("PATH", dir.toString()), null))
        .isNull();
    assertThat(Executables.problem(List.of("shop-app"), Map.of("PATH", "/nonexistent"), null))
        .isEqualTo(
            "command[0]: 'shop-app' (expected: a program on PATH; not found in /nonexistent)");
  }

  @Test
  void aRelativePathResolvesAgainstTheWorkingDirectoryAndMustBeExecutable() throws IOException {
    Path app = dir.resolve("run.sh");
    Files.writeString(app, "#!/bin/sh\n");

    assertThat(Executables.problem(List.of("./run.sh"), Map.of(), dir))
        .isEqualTo(
            "command[0]: './run.sh' (expected: an executable file; "
                + dir.resolve("./run.sh")
                + " is not executable)");
    Files.setPosixFilePermissions(app, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Executables.problem(List.of("./run.sh"), Map.of(), dir)).isNull();
    assertThat(Executables.problem(List.of("./run.sh"), Map.of(), dir.resolve("missing")))
        .startsWith("workingDir: '");
  }
}
