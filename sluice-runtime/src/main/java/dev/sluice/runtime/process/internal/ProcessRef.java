package dev.sluice.runtime.process.internal;

/**
 * One process, named so that a recycled pid is a different one.
 *
 * @param startTicks start time in the process table's unit, or {@code -1} when unknown (then only
 *     the pid is compared)
 */
public record ProcessRef(long pid, long startTicks) {

  /** True when {@code stat} describes this very process. */
  public boolean matches(ProcStat stat) {
    return stat.pid() == pid && (startTicks < 0 || stat.startTicks() == startTicks);
  }
}
