package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.Problem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Collects every problem found in a document, in the order found, without duplicates. */
public final class Problems {
  private static final int MAX_VALUE_LENGTH = 60;

  private final Set<Problem> problems = new LinkedHashSet<>();
  private final boolean discard;

  private Problems(boolean discard) {
    this.discard = discard;
  }

  /** A collector that keeps what it is given. */
  public static Problems collecting() {
    return new Problems(false);
  }

  /** A collector that forgets everything, for compiling text whose problems were reported. */
  public static Problems discarding() {
    return new Problems(true);
  }

  /** Records that the value at {@code path} is wrong; {@code value} is already rendered. */
  public void add(Path path, String value, String expected) {
    if (!discard) {
      problems.add(new Problem(path.toString(), value, expected));
    }
  }

  /** Records that the JSON value at {@code path} is wrong. */
  public void add(Path path, @Nullable JsonNode value, String expected) {
    add(path, show(value), expected);
  }

  /** Records that a required field is absent. */
  public void missing(Path path, String expected) {
    add(path, "missing", expected);
  }

  /** True when nothing was recorded. */
  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** The problems recorded so far. */
  public List<Problem> list() {
    return List.copyOf(new ArrayList<>(problems));
  }

  /** A value as problems show it: compact JSON, shortened when long. */
  public static String show(@Nullable JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "missing";
    }
    String text = value.toString();
    if (text.length() > MAX_VALUE_LENGTH) {
      return text.substring(0, MAX_VALUE_LENGTH - 3) + "...";
    }
    return text;
  }
}
