package dev.sluice.router;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a request value (a header, cookie or query parameter value) is compared in a {@link Match}.
 *
 * <p>Comparisons are case-sensitive. {@link Kind#REGEX} must match the whole value (as {@link
 * java.util.regex.Matcher#matches()}); its pattern is checked here and compiled once per routing
 * table.
 *
 * <pre>{@code
 * StringMatch.exact("true");
 * StringMatch.prefix("beta-");
 * StringMatch.regex("[0-9]*[02468]");
 * }</pre>
 *
 * @param kind how to compare
 * @param value the text to compare with, or the regular expression
 */
public record StringMatch(Kind kind, String value) {

  /** How a value is compared. */
  public enum Kind {
    /** The value equals the text. */
    EXACT,
    /** The value starts with the text. */
    PREFIX,
    /** The whole value matches the regular expression. */
    REGEX
  }

  /** Validates; a regular expression must compile. */
  public StringMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (kind == Kind.REGEX) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "regex: '"
                + value
                + "' (expected: a Java regular expression: "
                + e.getDescription()
                + ")",
            e);
      }
    }
  }

  /** A value equal to {@code text}. */
  public static StringMatch exact(String text) {
    return new StringMatch(Kind.EXACT, text);
  }

  /** A value starting with {@code text}. */
  public static StringMatch prefix(String text) {
    return new StringMatch(Kind.PREFIX, text);
  }

  /** A value that {@code regex} matches as a whole. */
  public static StringMatch regex(String regex) {
    return new StringMatch(Kind.REGEX, regex);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + value + "'";
  }
}
