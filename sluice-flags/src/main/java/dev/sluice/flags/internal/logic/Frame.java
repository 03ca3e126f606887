package dev.sluice.flags.internal.logic;

import dev.sluice.flags.EvaluationContext;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The state of one rule evaluation: the context, the values flagd injects ({@code $flagd.flagKey},
 * {@code $flagd.timestamp}), the data that {@code var} reads (the context at the top, an array
 * element inside {@code map}/{@code filter}/{@code all}/..., see {@link #scope}) and whether a
 * {@code fractional} split took part in the result.
 *
 * <p>Each targeting evaluation makes one (40 bytes). Where the JIT inlines the whole rule (a {@code
 * fractional} split) escape analysis removes it; a deeper rule allocates it. Reusing one frame per
 * thread instead was measured: no faster for such a rule, and about 5 ns slower for a split, which
 * then pays for a thread-local lookup (docs/benchmarks.md, "Flag evaluation").
 */
public final class Frame {
  /** Marks that {@code var} reads the evaluation context rather than an array element. */
  static final Object ROOT = new Object();

  private static final long UNREAD = Long.MIN_VALUE;

  final EvaluationContext context;
  final String flagKey;
  private final @Nullable Clock clock;
  private long timestamp;
  @Nullable Object scope = ROOT;
  private boolean split;

  /**
   * A frame for evaluating the targeting of {@code flagKey}. The clock is read only when the rule
   * asks for {@code $flagd.timestamp}, and then once.
   */
  public Frame(EvaluationContext context, String flagKey, Clock clock) {
    this.context = context;
    this.flagKey = flagKey;
    this.clock = clock;
    this.timestamp = UNREAD;
  }

  /** A frame evaluated at a fixed {@code timestamp} in Unix seconds. */
  public Frame(EvaluationContext context, String flagKey, long timestamp) {
    this.context = context;
    this.flagKey = flagKey;
    this.clock = null;
    this.timestamp = timestamp;
  }

  /** The evaluation time in Unix seconds: {@code $flagd.timestamp}. */
  long timestamp() {
    if (timestamp == UNREAD && clock != null) {
      timestamp = Math.floorDiv(clock.millis(), 1000);
    }
    return timestamp;
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
