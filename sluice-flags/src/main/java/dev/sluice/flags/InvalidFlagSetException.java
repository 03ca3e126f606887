package dev.sluice.flags;

import java.util.List;

/**
 * Thrown when a flag set document is not valid; carries every problem found, not only the first.
 * Nothing was loaded or changed.
 */
public final class InvalidFlagSetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<Problem> problems;

  /** An exception listing {@code problems}, which must not be empty. */
  public InvalidFlagSetException(List<Problem> problems) {
    super(message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: [] (expected: at least one problem)");
    }
    this.problems = List.copyOf(problems);
  }

  /** The problems, in document order. */
  public List<Problem> problems() {
    return problems;
  }

  private static String message(List<Problem> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append(problems.size() == 1 ? "1 problem" : problems.size() + " problems")
        .append(" in the flag set:");
    for (Problem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
