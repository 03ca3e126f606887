package dev.sluice.runtime.process.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The process table read from {@code /proc/<pid>/stat}. */
final class LinuxProcessTable implements ProcessTable {
  private final Path proc;

  LinuxProcessTable(Path proc) {
    this.proc = proc;
  }

  @Override
  public Map<Long, ProcStat> scan() {
    Map<Long, ProcStat> out = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        ProcStat stat = read(dir.resolve("stat"));
        if (stat != null) {
          out.put(stat.pid(), stat);
        }
      }
    } catch (IOException e) {
      // a vanished /proc is no process at all; callers then see an empty table
    }
    return out;
  }

  @Override
  public @Nullable ProcStat stat(long pid) {
    return read(proc.resolve(Long.toString(pid)).resolve("stat"));
  }

  @Override
  public boolean knowsGroups() {
    return true;
  }

  private static @Nullable ProcStat read(Path file) {
    try {
      return ProcStat.parse(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return null; // the process exited between listing and reading
    }
  }
}
