package dev.sluice.runtime.process.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The host's processes, read fresh on every call: pids, parents, process groups, start times.
 *
 * <p>On Linux it reads {@code /proc}, which is the only way from Java to learn a process's group
 * and to tell a zombie from a live process ({@link ProcessHandle#isAlive()} may call a zombie
 * alive, and zombies linger here because an init that reaps lazily adopts orphans). Elsewhere it
 * falls back to {@link ProcessHandle}, without groups.
 */
public interface ProcessTable {

  /** Returns every process by pid. */
  Map<Long, ProcStat> scan();

  /** Returns one process, or null when there is none with that pid. */
  @Nullable ProcStat stat(long pid);

  /** True when the table knows process groups (so a group can be signalled). */
  boolean knowsGroups();

  /** True when {@code ref} is a live process that is not a zombie. */
  default boolean isAlive(ProcessRef ref) {
    ProcStat stat = stat(ref.pid());
    return stat != null && !stat.zombie() && ref.matches(stat);
  }

  /**
   * Sends SIGTERM ({@code force} false) or SIGKILL to the process. Does nothing when it is gone;
   * the JDK checks the start time it saw, so a pid recycled meanwhile is not hit.
   */
  default void signal(ProcessRef ref, boolean force) {
    Optional<ProcessHandle> handle = ProcessHandle.of(ref.pid());
    if (handle.isEmpty() || handle.get().equals(ProcessHandle.current())) {
      return;
    }
    if (force) {
      handle.get().destroyForcibly();
    } else {
      handle.get().destroy();
    }
  }

  /** Returns the table of this host: {@code /proc} when readable, else the JDK's view. */
  static ProcessTable system() {
    Path self = Path.of("/proc/self/stat");
    try {
      if (Files.isReadable(self) && ProcStat.parse(Files.readString(self)) != null) {
        return new LinuxProcessTable(Path.of("/proc"));
      }
    } catch (IOException | RuntimeException e) {
      // fall through to the portable view
    }
    return new JdkProcessTable();
  }
}
