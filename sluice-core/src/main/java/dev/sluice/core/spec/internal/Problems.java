package dev.sluice.core.spec.internal;

import dev.sluice.core.spec.Problem;
import dev.sluice.core.spec.SpecException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** Collects the problems found while reading one input. */
public final class Problems {
  private final String source;
  private final List<Problem> list = new ArrayList<>();

  public Problems(String source) {
    this.source = source;
  }

  public String source() {
    return source;
  }

  /** Records a problem located at {@code at} (or without a position when null). */
  public void add(@Nullable Node at, String path, String value, String expected) {
    int line = 0;
    int column = 0;
    Optional<Mark> mark = at == null ? Optional.empty() : at.getStartMark();
    if (mark.isPresent()) {
      line = mark.get().getLine() + 1;
      column = mark.get().getColumn() + 1;
    }
    list.add(new Problem(source, line, column, path, value, expected));
  }

  public void add(Problem problem) {
    list.add(problem);
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Problem> list() {
    return List.copyOf(list);
  }

  /** Throws when any problem was recorded, with the problems in input order. */
  public void throwIfAny() throws SpecException {
    if (!list.isEmpty()) {
      List<Problem> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
      throw new SpecException(sorted);
    }
  }
}
