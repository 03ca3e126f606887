package dev.sluice.flags.internal.logic;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a value sits in a flag set document, printed the way problems name it: {@code
 * flags.new-checkout.targeting.if[0]}. Keys that are not plain words are quoted: {@code
 * flags["a.b"]}.
 */
public final class Path {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_$\\-]+|[=!<>%+*/?:~^]+");

  private final @Nullable Path parent;
  private final String segment;

  private Path(@Nullable Path parent, String segment) {
    this.parent = parent;
    this.segment = segment;
  }

  /** The path of a top-level field. */
  public static Path root(String key) {
    return new Path(null, PLAIN.matcher(key).matches() ? key : quote(key));
  }

  /** A place that is not a field, named as given, e.g. {@code line 3, column 7}. */
  public static Path place(String description) {
    return new Path(null, description);
  }

  /** The path of a field of the object at this path. */
  public Path key(String key) {
    return new Path(this, PLAIN.matcher(key).matches() ? "." + key : "[" + quote(key) + "]");
  }

  /** The path of an element of the array at this path. */
  public Path index(int index) {
    return new Path(this, "[" + index + "]");
  }

  private static String quote(String key) {
    return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    append(sb);
    return sb.toString();
  }

  private void append(StringBuilder sb) {
    if (parent != null) {
      parent.append(sb);
    }
    sb.append(segment);
  }
}
