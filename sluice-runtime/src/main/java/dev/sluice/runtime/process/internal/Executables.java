package dev.sluice.runtime.process.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds the program of a command the way {@code execvp} will, so a missing program is reported with
 * its name instead of as a replica that exits at once.
 */
public final class Executables {
  private Executables() {}

  /**
   * Returns why {@code command[0]} cannot be run, or null when it can.
   *
   * @param env the extra environment of the child, whose {@code PATH} wins over ours
   * @param workingDir the directory the child starts in, against which relative paths resolve
   */
  public static @Nullable String problem(
      List<String> command, Map<String, String> env, @Nullable Path workingDir) {
    String program = command.get(0);
    Path base = workingDir != null ? workingDir : Path.of("").toAbsolutePath();
    if (workingDir != null && !Files.isDirectory(workingDir)) {
      return "workingDir: '" + workingDir + "' (expected: an existing directory)";
    }
    if (program.indexOf('/') >= 0) {
      Path file = base.resolve(program);
      if (runnable(file)) {
        return null;
      }
      String where = file.toString().equals(program) ? " it" : " " + file;
      String found = Files.exists(file) ? " is not executable" : " does not exist";
      return "command[0]: '" + program + "' (expected: an executable file;" + where + found + ")";
    }
    String path = env.containsKey("PATH") ? env.get("PATH") : System.getenv("PATH");
    if (path == null || path.isEmpty()) {
      path = "/usr/local/bin:/usr/bin:/bin";
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path dirPath = dir.isEmpty() ? base : base.resolve(dir);
      if (runnable(dirPath.resolve(program))) {
        return null;
      }
    }
    return "command[0]: '" + program + "' (expected: a program on PATH; not found in " + path + ")";
  }

  private static boolean runnable(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }

  /** Returns the {@code setsid} program of this host, or null when there is none. */
  public static @Nullable Path setsid() {
    for (String candidate : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
      Path file = Path.of(candidate);
      if (runnable(file)) {
        return file;
      }
    }
    return null;
  }
}
