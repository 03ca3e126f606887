package dev.sluice.flags.internal.flagd;

import org.jspecify.annotations.Nullable;

/**
 * A semantic version as flagd's {@code sem_ver} reads it: Go's {@code golang.org/x/mod/semver}
 * rules (which flagd uses) after dropping one leading {@code v} or {@code V}. So {@code 1.2.3},
 * {@code v1.2.3-rc.1+build.5} and the shorthands {@code 1} and {@code 1.2} (for 1.0.0 and 1.2.0,
 * without prerelease or build) are valid; leading zeros, empty identifiers and a fourth number are
 * not. Ordering follows SemVer 2.0.0: build metadata is ignored and a prerelease sorts before its
 * release.
 */
public record SemanticVersion(String major, String minor, String patch, String[] prerelease) {

  /** The version {@code text} denotes, or null when it is not a valid version. */
  public static @Nullable SemanticVersion parse(String text) {
    String v = text;
    if (!v.isEmpty() && (v.charAt(0) == 'v' || v.charAt(0) == 'V')) {
      v = v.substring(1);
    }
    int[] pos = {0};
    String major = number(v, pos);
    if (major == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new SemanticVersion(major, "0", "0", new String[0]);
    }
    if (v.charAt(pos[0]++) != '.') {
      return null;
    }
    String minor = number(v, pos);
    if (minor == null) {
      return null;
    }
    if (pos[0] == v.length()) {
      return new SemanticVersion(major, minor, "0", new String[0]);
    }
    if (v.charAt(pos[0]++) != '.') {
      return null;
    }
    String patch = number(v, pos);
    if (patch == null) {
      return null;
    }
    String[] prerelease = new String[0];
    String rest = v.substring(pos[0]);
    int plus = rest.indexOf('+');
    String build = plus >= 0 ? rest.substring(plus + 1) : null;
    String pre = plus >= 0 ? rest.substring(0, plus) : rest;
    if (!pre.isEmpty()) {
      if (pre.charAt(0) != '-') {
        return null;
      }
      prerelease = pre.substring(1).split("\\.", -1);
      for (String id : prerelease) {
        if (!identifier(id) || (numeric(id) && id.length() > 1 && id.charAt(0) == '0')) {
          return null;
        }
      }
    }
    if (build != null) {
      for (String id : build.split("\\.", -1)) {
        if (!identifier(id)) {
          return null;
        }
      }
    }
    return new SemanticVersion(major, minor, patch, prerelease);
  }

  private static @Nullable String number(String v, int[] pos) {
    int start = pos[0];
    int i = start;
    while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
      i++;
    }
    if (i == start || (i - start > 1 && v.charAt(start) == '0')) {
      return null;
    }
    pos[0] = i;
    return v.substring(start, i);
  }

  private static boolean identifier(String id) {
    if (id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean numeric(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) < '0' || id.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** SemVer 2.0.0 precedence: negative, zero or positive. */
  public int compareTo(SemanticVersion other) {
    int c = compareNumbers(major, other.major);
    if (c == 0) {
      c = compareNumbers(minor, other.minor);
    }
    if (c == 0) {
      c = compareNumbers(patch, other.patch);
    }
    if (c == 0) {
      c = comparePrerelease(prerelease, other.prerelease);
    }
    return c;
  }

  /** Same major version: flagd's {@code ^}. */
  public boolean sameMajor(SemanticVersion other) {
    return major.equals(other.major);
  }

  /** Same major and minor version: flagd's {@code ~}. */
  public boolean sameMinor(SemanticVersion other) {
    return major.equals(other.major) && minor.equals(other.minor);
  }

  private static int compareNumbers(String a, String b) {
    // Both are digit strings without leading zeros, so length orders them before the digits do.
    return a.length() != b.length()
        ? Integer.compare(a.length(), b.length())
        : Integer.signum(a.compareTo(b));
  }

  private static int comparePrerelease(String[] a, String[] b) {
    if (a.length == 0 || b.length == 0) {
      // A release sorts after any prerelease of the same version.
      return a.length == b.length ? 0 : (a.length == 0 ? 1 : -1);
    }
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      boolean an = numeric(a[i]);
      boolean bn = numeric(b[i]);
      int c;
      if (an && bn) {
        c = compareNumbers(a[i], b[i]);
      } else if (an != bn) {
        c = an ? -1 : 1;
      } else {
        c = Integer.signum(a[i].compareTo(b[i]));
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SemanticVersion v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    return major.hashCode() * 31
        + minor.hashCode() * 17
        + patch.hashCode()
        + java.util.Arrays.hashCode(prerelease);
  }

  @Override
  public String toString() {
    return major
        + "."
        + minor
        + "."
        + patch
        + (prerelease.length == 0 ? "" : "-" + String.join(".", prerelease));
  }
}
