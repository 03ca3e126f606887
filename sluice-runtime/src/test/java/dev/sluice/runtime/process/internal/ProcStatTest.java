package dev.sluice.runtime.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void fieldsAreCountedFromTheLastParenthesisSoAnyCommandNameParses() {
    // proc(5): the command name is in parentheses and may hold spaces and ") (".
    String line =
        "4242 (my ) (app) S 4241 4240 4240 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";

    ProcStat stat = ProcStat.parse(line);

    assertThat(stat).isEqualTo(new ProcStat(4242, 4241, 4240, 'S', 987654));
    assertThat(stat.zombie()).isFalse();
  }

  @Test
  void aZombieIsRecognised() {
    ProcStat stat =
        ProcStat.parse(
            "5384 (sleep) Z 1 5383 5383 0 -1 4227084 99 0 1 0 0 0 0 0 20 0 1 0 36786 0 0");

    assertThat(stat).isNotNull();
    assertThat(stat.zombie()).isTrue();
  }

  @Test
  void linesThatAreNotStatLinesGiveNull() {
    assertThat(ProcStat.parse("")).isNull();
    assertThat(ProcStat.parse("12 (x) S 1 2")).isNull();
    assertThat(ProcStat.parse("abc (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"))
        .isNull();
  }

  @Test
  void thisProcessReadsItselfFromTheSystemTable() {
    ProcessTable table = ProcessTable.system();
    long self = ProcessHandle.current().pid();

    ProcStat stat = table.stat(self);

    assertThat(stat).isNotNull();
    assertThat(stat.pid()).isEqualTo(self);
    assertThat(table.isAlive(stat.ref())).isTrue();
    assertThat(table.isAlive(new ProcessRef(self, stat.startTicks() + 1))).as("recycled").isFalse();
    assertThat(table.scan()).containsKey(self);
  }
}
