package dev.sluice.core.analysis.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Short renderings of numbers for one-line descriptions: 412, 2.05, 0.0123, 3.1e-9. */
public final class Decimals {
  private Decimals() {}

  /** Three significant digits (never rounding away integer digits), no trailing zeros. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0";
    }
    double abs = Math.abs(v);
    if (abs < 1e-3) {
      return scientific(v);
    }
    BigDecimal d = new BigDecimal(v);
    d =
        abs >= 1000
            ? d.setScale(0, RoundingMode.HALF_EVEN)
            : d.round(new MathContext(3, RoundingMode.HALF_EVEN));
    String s = d.stripTrailingZeros().toPlainString();
    return s.equals("-0") ? "0" : s;
  }

  /** Two significant digits in scientific form, e.g. {@code 3.1e-9}. */
  public static String scientific(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return format(v);
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(2, RoundingMode.HALF_EVEN));
    int exponent = d.precision() - d.scale() - 1;
    BigDecimal mantissa = d.movePointLeft(exponent).stripTrailingZeros();
    return mantissa.toPlainString() + "e" + exponent;
  }
}
