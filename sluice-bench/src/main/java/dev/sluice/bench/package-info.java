/** Benchmarks and load scripts; never part of the test run. */
@NullMarked
package dev.sluice.bench;

import org.jspecify.annotations.NullMarked;
