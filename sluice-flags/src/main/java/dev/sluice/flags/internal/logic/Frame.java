package dev.sluice.flags.internal.logic;

import dev.sluice.flags.EvaluationContext;
import org.jspecify.annotations.Nullable;

/**
 * The state of one rule evaluation: the context, the values flagd injects ({@code $flagd.flagKey},
 * {@code $flagd.timestamp}), the data that {@code var} reads (the context at the top, an array
 * element inside {@code map}/{@code filter}/{@code all}/..., see {@link #scope}) and whether a
 * {@code fractional} split took part in the result.
 */
public final class Frame {
  /** Marks that {@code var} reads the evaluation context rather than an array element. */
  static final Object ROOT = new Object();

  final EvaluationContext context;
  final String flagKey;
  final long timestamp;
  @Nullable Object scope = ROOT;
  private boolean split;

  /**
   * A frame for evaluating the targeting of {@code flagKey} at {@code timestamp} (Unix seconds).
   */
  public Frame(EvaluationContext context, String flagKey, long timestamp) {
    this.context = context;
    this.flagKey = flagKey;
    this.timestamp = timestamp;
  }

  /** The context the rule is evaluated against. */
  public EvaluationContext context() {
    return context;
  }

  /** The key of the flag being evaluated. */
  public String flagKey() {
    return flagKey;
  }

  /** True when a {@code fractional} operation chose a value during this evaluation. */
  public boolean split() {
    return split;
  }

  /** Records that a pseudorandom split chose a value, so the result's reason is SPLIT. */
  public void markSplit() {
    split = true;
  }
}
