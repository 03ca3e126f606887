package dev.sluice.runtime.process.internal;

import java.util.regex.Pattern;

/** Checks app and version names, which become directory names of replica logs. */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private Names() {}

  /**
   * Returns {@code value} when it is a safe name.
   *
   * @throws IllegalArgumentException naming {@code field}, the value and what was expected
   */
  public static String check(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + value
              + "' (expected: 1-63 letters, digits, '.', '_' or '-', starting with a letter or"
              + " digit)");
    }
    return value;
  }
}
