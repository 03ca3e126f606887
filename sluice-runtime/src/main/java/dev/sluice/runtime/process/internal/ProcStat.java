package dev.sluice.runtime.process.internal;

import org.jspecify.annotations.Nullable;

/**
 * The few fields of one process the supervisor needs, as {@code /proc/<pid>/stat} gives them.
 *
 * @param state one letter: R, S, D, Z (zombie), T, ...
 * @param startTicks when the process started, in clock ticks since boot; with {@code pid} it names
 *     one process even after its pid is recycled ({@code -1}: unknown)
 */
public record ProcStat(long pid, long ppid, long pgrp, char state, long startTicks) {

  /** True once the process has exited and only waits for its parent to reap it. */
  public boolean zombie() {
    return state == 'Z' || state == 'X';
  }

  /** Returns the identity of this process. */
  public ProcessRef ref() {
    return new ProcessRef(pid, startTicks);
  }

  /**
   * Parses one {@code /proc/<pid>/stat} line, or returns null when it is not one.
   *
   * <p>Format from proc(5): {@code pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
   * cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue
   * starttime ...}. The command name may itself hold spaces and parentheses, so the fields are
   * counted from the last ')'.
   */
  public static @Nullable ProcStat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open <= 0 || close < open || close + 2 > line.length()) {
      return null;
    }
    String[] f = line.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state), so field n is f[n - 3]; starttime is field 22.
    if (f.length < 20 || f[0].length() != 1) {
      return null;
    }
    try {
      long pid = Long.parseLong(line.substring(0, open).trim());
      return new ProcStat(
          pid, Long.parseLong(f[1]), Long.parseLong(f[2]), f[0].charAt(0), Long.parseLong(f[19]));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
