/**
 * Canary analysis, pure: the analysis spec and its reader, the Mann-Whitney judge, how one metric's
 * reading becomes a {@link dev.sluice.core.analysis.Measurement}, how measurements are scored, and
 * the run semantics (interval, count, limits) as an immutable state. No I/O, no threads: the
 * server's providers fetch the numbers, this package decides what they mean.
 */
@NullMarked
package dev.sluice.core.analysis;

import org.jspecify.annotations.NullMarked;
