/**
 * Flag evaluation benchmarks (JMH): Sluice's engine against the flagd Java provider's in-process
 * evaluator on one flag set.
 */
@NullMarked
package dev.sluice.bench.flags;

import org.jspecify.annotations.NullMarked;
