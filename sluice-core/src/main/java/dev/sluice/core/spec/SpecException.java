package dev.sluice.core.spec;

import java.util.List;

/**
 * Input that cannot be accepted, with every problem found in it (not just the first).
 *
 * <p>Thrown by {@link SpecParser} and by the parsers of API bodies. Whatever threw it changed
 * nothing.
 */
public final class SpecException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  /** Creates an exception for a non-empty list of problems. */
  public SpecException(List<Problem> problems) {
    super(render(problems), null, false, false);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** The problems, in the order they occur in the input. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    StringBuilder b = new StringBuilder();
    for (Problem p : problems) {
      if (!b.isEmpty()) {
        b.append('\n');
      }
      b.append(p);
    }
    return b.toString();
  }
}
