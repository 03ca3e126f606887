package dev.sluice.runtime.process.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The process table as {@link ProcessHandle} shows it, for hosts without {@code /proc}: no process
 * groups (pgrp is -1), start times in epoch milliseconds.
 */
final class JdkProcessTable implements ProcessTable {

  @Override
  public Map<Long, ProcStat> scan() {
    Map<Long, ProcStat> out = new HashMap<>();
    ProcessHandle.allProcesses()
        .forEach(
            h -> {
              ProcStat stat = toStat(h);
              if (stat != null) {
                out.put(stat.pid(), stat);
              }
            });
    return out;
  }

  @Override
  public @Nullable ProcStat stat(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    return handle.isPresent() ? toStat(handle.get()) : null;
  }

  @Override
  public boolean knowsGroups() {
    return false;
  }

  private static @Nullable ProcStat toStat(ProcessHandle h) {
    if (!h.isAlive()) {
      return null;
    }
    long ppid = h.parent().map(ProcessHandle::pid).orElse(0L);
    long start = h.info().startInstant().map(i -> i.toEpochMilli()).orElse(-1L);
    return new ProcStat(h.pid(), ppid, -1, 'R', start);
  }
}
