package dev.sluice.runtime.process.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds the live processes that belong to one replica in a snapshot of the process table.
 *
 * <p>A replica's processes are: its root process; every process of its process group when the root
 * leads one (it was started with {@code setsid}); every process seen as a member before and still
 * alive (it may have left the group and lost its parent since); and every descendant of all of
 * those. Zombies are not members: they are dead already and cannot be signalled.
 */
public final class ProcessTrees {
  private ProcessTrees() {}

  /**
   * Returns the members of a replica.
   *
   * @param snapshot the process table, by pid
   * @param root the replica's root process, or null when it is gone
   * @param pgid the replica's process group, or {@code -1} when it has none of its own
   * @param seen members found before
   * @param exclude pids never to return (the supervisor itself and its ancestors)
   */
  public static Set<ProcessRef> members(
      Map<Long, ProcStat> snapshot,
      @Nullable ProcessRef root,
      long pgid,
      Collection<ProcessRef> seen,
      Set<Long> exclude) {
    Set<ProcessRef> seenSet = Set.copyOf(seen);
    Map<Long, List<ProcStat>> children = new HashMap<>();
    Set<ProcessRef> out = new LinkedHashSet<>();
    Deque<ProcStat> todo = new ArrayDeque<>();
    for (ProcStat stat : snapshot.values()) {
      if (stat.zombie() || exclude.contains(stat.pid())) {
        continue;
      }
      children.computeIfAbsent(stat.ppid(), k -> new ArrayList<>()).add(stat);
      boolean member =
          (root != null && root.matches(stat))
              || (pgid > 0 && stat.pgrp() == pgid)
              || seenSet.contains(stat.ref());
      if (member && out.add(stat.ref())) {
        todo.add(stat);
      }
    }
    while (!todo.isEmpty()) {
      ProcStat parent = todo.poll();
      for (ProcStat child : children.getOrDefault(parent.pid(), List.of())) {
        if (out.add(child.ref())) {
          todo.add(child);
        }
      }
    }
    return out;
  }

  /** Returns the pids of this process and its ancestors, which a supervisor must never signal. */
  public static Set<Long> selfAndAncestors() {
    Set<Long> out = new LinkedHashSet<>();
    ProcessHandle h = ProcessHandle.current();
    out.add(h.pid());
    for (var p = h.parent(); p.isPresent(); p = p.get().parent()) {
      if (!out.add(p.get().pid())) {
        break;
      }
    }
    return Set.copyOf(out);
  }
}
