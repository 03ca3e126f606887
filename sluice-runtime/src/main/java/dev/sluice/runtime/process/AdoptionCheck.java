package dev.sluice.runtime.process;

import dev.sluice.runtime.process.ReplicaAdoptionException.Reason;
import dev.sluice.runtime.process.internal.ProcStat;
import dev.sluice.runtime.process.internal.ProcessTable;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Proves that a pid still names the replica process a previous daemon recorded, before the
 * supervisor takes it over.
 *
 * <p>A pid alone is not enough: after the old process died the kernel may have given its pid to
 * anything. The start instant is compared too, with a tolerance of one second because the JDK
 * derives it from {@code /proc/stat}'s boot time, which the kernel reports to the second and which
 * may drift by one when the clock is adjusted; a recycled pid starts later than its predecessor
 * died, far outside that second in any realistic case.
 *
 * @param stat the live process
 * @param startInstant when it started, as the JDK reports it now
 */
record AdoptionCheck(ProcStat stat, Instant startInstant) {
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  /**
   * Returns the process when {@code pid} is alive, started at {@code expectedStart} and is not the
   * daemon itself.
   *
   * @throws ReplicaAdoptionException naming what did not match
   */
  static AdoptionCheck verify(
      ProcessTable table, Set<Long> protectedPids, String id, long pid, Instant expectedStart) {
    if (pid <= 0 || protectedPids.contains(pid)) {
      throw new ReplicaAdoptionException(
          Reason.NOT_A_REPLICA, pid, id + ": pid " + pid + " is this daemon or its parent");
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    ProcStat stat = table.stat(pid);
    if (handle.isEmpty() || stat == null || stat.zombie()) {
      throw new ReplicaAdoptionException(
          Reason.NOT_RUNNING, pid, id + ": no live process has pid " + pid);
    }
    @Nullable Instant actual = handle.get().info().startInstant().orElse(null);
    if (actual == null
        || Duration.between(actual, expectedStart).abs().compareTo(START_TOLERANCE) > 0) {
      throw new ReplicaAdoptionException(
          Reason.START_INSTANT_MISMATCH,
          pid,
          id
              + ": process "
              + pid
              + " started at "
              + actual
              + ", not at "
              + expectedStart
              + " (its pid was recycled)");
    }
    return new AdoptionCheck(stat, actual);
  }
}
