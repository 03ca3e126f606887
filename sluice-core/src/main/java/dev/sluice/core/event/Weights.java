package dev.sluice.core.event;

import java.util.Map;
import java.util.TreeMap;

/** Formats traffic weights for people: {@code v1 90% / v2 10%}. */
public final class Weights {
  private Weights() {}

  public static String format(Map<String, Integer> weights) {
    if (weights.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Integer> e : new TreeMap<>(weights).entrySet()) {
      if (!b.isEmpty()) {
        b.append(" / ");
      }
      b.append(e.getKey()).append(' ').append(e.getValue()).append('%');
    }
    return b.toString();
  }
}
