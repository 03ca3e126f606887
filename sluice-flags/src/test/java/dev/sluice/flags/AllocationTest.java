package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Successful evaluations of flags without targeting allocate nothing: their results are built when
 * the set loads. Measured with the JVM's per-thread allocation counter, not with time.
 */
class AllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final FlagSet SET =
      FlagSet.parse(
          """
          {"flags": {
            "bool": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
            "text": {"state": "ENABLED", "variants": {"a": "alpha"}, "defaultVariant": "a"},
            "count": {"state": "ENABLED", "variants": {"many": 1000}, "defaultVariant": "many"},
            "ratio": {"state": "ENABLED", "variants": {"half": 0.5}, "defaultVariant": "half",
                      "environments": {"prod": {"defaultVariant": "half"}}}
          }}
          """);

  @Test
  void staticFlagsAllocateNothing() {
    FlagEvaluator flags = FlagEvaluator.of(SET, Testbed.CLOCK);
    EvaluationContext ctx =
        EvaluationContext.builder().targetingKey("user-1").environment("prod").build();
    long sink = 0;
    for (int i = 0; i < 50_000; i++) {
      sink += evaluateAll(flags, ctx);
    }
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      sink += evaluateAll(flags, ctx);
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(sink).isPositive();
    // 400,000 evaluations: a single object per evaluation would be several megabytes.
    assertThat(allocated).isLessThan(4096);
  }

  @Test
  void theCounterDoesSeeAllocations() {
    // Guards the test above against a counter that always reads zero: a context built per call
    // allocates.
    long before = THREADS.getCurrentThreadAllocatedBytes();
    long n = 0;
    for (int i = 0; i < 1_000; i++) {
      n += EvaluationContext.builder().targetingKey("user-" + i).build().targetingKey().length();
    }
    assertThat(n).isPositive();
    assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).isGreaterThan(10_000);
  }

  private static long evaluateAll(FlagEvaluator flags, EvaluationContext ctx) {
    long n = 0;
    n += flags.booleanValue("bool", false, ctx).value() ? 1 : 0;
    n += flags.stringValue("text", "", ctx).value().length();
    n += flags.integerValue("count", 12345, ctx).value();
    n += (long) (flags.doubleValue("ratio", 12.5, ctx).value() * 2);
    return n;
  }
}
