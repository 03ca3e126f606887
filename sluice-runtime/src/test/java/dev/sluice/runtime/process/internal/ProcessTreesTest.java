package dev.sluice.runtime.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProcessTreesTest {
  // pid, ppid, pgrp, state, start
  private static final ProcStat INIT = new ProcStat(1, 0, 1, 'S', 1);
  private static final ProcStat DAEMON = new ProcStat(50, 1, 50, 'S', 5);
  private static final ProcStat ROOT = new ProcStat(100, 50, 100, 'S', 10);
  private static final ProcStat CHILD = new ProcStat(101, 100, 100, 'S', 11);
  private static final ProcStat GRANDCHILD_OWN_SESSION = new ProcStat(102, 101, 102, 'S', 12);
  private static final ProcStat ORPHAN_IN_GROUP = new ProcStat(103, 1, 100, 'S', 13);
  private static final ProcStat ZOMBIE_IN_GROUP = new ProcStat(104, 1, 100, 'Z', 14);
  private static final ProcStat STRANGER = new ProcStat(200, 1, 200, 'S', 20);
  private static final ProcStat ESCAPED = new ProcStat(105, 1, 105, 'S', 15);

  private static Map<Long, ProcStat> table(ProcStat... stats) {
    return List.of(stats).stream().collect(Collectors.toMap(ProcStat::pid, Function.identity()));
  }

  @Test
  void membersAreTheRootItsGroupAndAllTheirDescendantsButNotZombiesOrStrangers() {
    Map<Long, ProcStat> snapshot =
        table(
            INIT,
            DAEMON,
            ROOT,
            CHILD,
            GRANDCHILD_OWN_SESSION,
            ORPHAN_IN_GROUP,
            ZOMBIE_IN_GROUP,
            STRANGER);

    Set<ProcessRef> members =
        ProcessTrees.members(snapshot, ROOT.ref(), 100, List.of(), Set.of(50L, 1L));

    assertThat(members)
        .containsExactlyInAnyOrder(
            ROOT.ref(), CHILD.ref(), GRANDCHILD_OWN_SESSION.ref(), ORPHAN_IN_GROUP.ref());
  }

  @Test
  void aProcessSeenBeforeIsStillAMemberAfterItLeftTheTreeAndTheGroup() {
    Map<Long, ProcStat> snapshot = table(INIT, ESCAPED, STRANGER);

    Set<ProcessRef> members =
        ProcessTrees.members(snapshot, null, 100, List.of(ESCAPED.ref()), Set.of());

    assertThat(members).containsExactly(ESCAPED.ref());
  }

  @Test
  void aRecycledPidIsNotTheRootAndTheDaemonIsNeverAMember() {
    ProcStat recycled = new ProcStat(100, 1, 300, 'S', 99);
    ProcStat daemonInGroup = new ProcStat(50, 1, 100, 'S', 5);

    Set<ProcessRef> members =
        ProcessTrees.members(
            table(INIT, recycled, daemonInGroup), ROOT.ref(), -1, List.of(), Set.of(50L));

    assertThat(members).isEmpty();
  }
}
