package dev.sluice.core.spec;

/**
 * One thing wrong with a piece of input, located precisely enough for a person to fix it.
 *
 * <p>{@code toString()} renders the form used everywhere Sluice reports bad input: {@code
 * sluice.yaml:12:7: apps[0].strategy.canary.steps[2].setWeight: 140 (expected: 0..100)}. Line and
 * column are 1-based; 0 means unknown.
 *
 * @param source the file name, or a description such as {@code request body}
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param path the field path, e.g. {@code apps[0].runtime.process.replicas}
 * @param value the offending value as written, or a short description such as {@code missing}
 * @param expected what would have been accepted
 */
public record Problem(
    String source, int line, int column, String path, String value, String expected) {

  /** Renders the problem on one line. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (!source.isEmpty()) {
      b.append(source);
      if (line > 0) {
        b.append(':').append(line).append(':').append(column);
      }
      b.append(": ");
    }
    if (!path.isEmpty()) {
      b.append(path).append(": ");
    }
    return b.append(value).append(" (expected: ").append(expected).append(')').toString();
  }
}
