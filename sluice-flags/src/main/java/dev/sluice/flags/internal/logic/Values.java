package dev.sluice.flags.internal.logic;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON Logic's type rules, which are JavaScript's: truthiness, conversion to numbers and strings,
 * loose and strict equality and ordering. The reference is json-logic-js, where the operators are
 * thin wrappers over JavaScript operators; this class reproduces the JavaScript semantics those
 * wrappers rely on for JSON values.
 */
public final class Values {
  private Values() {}

  /** JSON Logic truthiness: false, null, 0, NaN, "" and [] are falsy; everything else is truthy. */
  public static boolean truthy(@Nullable Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Double d) {
      return d != 0 && !d.isNaN();
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  /** JavaScript's Number(v) for JSON values. */
  public static double toNumber(@Nullable Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Double d) {
      return d;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v instanceof String s) {
      return parseNumber(s);
    }
    if (v instanceof List<?> l) {
      return parseNumber(toJsString(l));
    }
    return Double.NaN;
  }

  private static double parseNumber(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return 0;
    }
    char c = t.charAt(t.length() - 1);
    // Double.parseDouble accepts "1d", "1f" and hex floats, JavaScript does not.
    if (c == 'd'
        || c == 'D'
        || c == 'f'
        || c == 'F'
        || t.indexOf('x') >= 0
        || t.indexOf('X') >= 0) {
      return Double.NaN;
    }
    switch (t) {
      case "Infinity", "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** JavaScript's String(v) for JSON values: 1 not 1.0, arrays joined with commas. */
  public static String toJsString(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double d) {
      return numberToString(d);
    }
    if (v instanceof List<?> l) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Object item = l.get(i);
        if (item != null) {
          sb.append(toJsString(item));
        }
      }
      return sb.toString();
    }
    if (v instanceof Map<?, ?>) {
      return "[object Object]";
    }
    return v.toString();
  }

  /** JavaScript's number formatting for the common cases: integers print without a fraction. */
  public static String numberToString(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      if (Math.abs(d) < 9.007199254740992E15) {
        return Long.toString((long) d);
      }
      return new BigDecimal(d).toPlainString();
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    String s = Double.toString(d);
    if (s.indexOf('E') < 0) {
      return s;
    }
    return BigDecimal.valueOf(d).toPlainString();
  }

  /** JavaScript's {@code ===} for JSON values (arrays and objects compare by identity). */
  public static boolean strictEquals(@Nullable Object a, @Nullable Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Double x && b instanceof Double y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof String || a instanceof Boolean) {
      return a.equals(b);
    }
    return a == b;
  }

  /** JavaScript's {@code ==} for JSON values, with its coercions between types. */
  public static boolean looseEquals(@Nullable Object a, @Nullable Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.getClass() == b.getClass() && !(a instanceof List) && !(a instanceof Map)) {
      return strictEquals(a, b);
    }
    if (a instanceof List || a instanceof Map) {
      if (b instanceof List || b instanceof Map) {
        return a == b;
      }
      return looseEquals(toJsString(a), b);
    }
    if (b instanceof List || b instanceof Map) {
      return looseEquals(a, toJsString(b));
    }
    // Remaining mixes of string, number and boolean compare as numbers.
    return toNumber(a) == toNumber(b);
  }

  /**
   * JavaScript's relational comparison: two strings compare by UTF-16 code units, everything else
   * as numbers. Returns negative, zero or positive, or {@link Integer#MIN_VALUE} when either side
   * is NaN, which makes every comparison false as in JavaScript.
   */
  public static int compare(@Nullable Object a, @Nullable Object b) {
    Object pa = a instanceof List<?> ? toJsString(a) : a;
    Object pb = b instanceof List<?> ? toJsString(b) : b;
    if (pa instanceof String x && pb instanceof String y) {
      return Integer.signum(x.compareTo(y));
    }
    return compareNumbers(toNumber(pa), toNumber(pb));
  }

  /** Compares two numbers; {@link Integer#MIN_VALUE} when either is NaN. */
  public static int compareNumbers(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Integer.MIN_VALUE;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  /** The boxed form of a number, reusing common instances. */
  public static Double box(double d) {
    return d == 0 && !isNegativeZero(d) ? ZERO : (d == 1 ? ONE : Double.valueOf(d));
  }

  private static boolean isNegativeZero(double d) {
    return Double.doubleToRawLongBits(d) == Long.MIN_VALUE;
  }

  private static final Double ZERO = 0.0;
  private static final Double ONE = 1.0;
}
