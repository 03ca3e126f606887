/** Sluice's core: the spec, strategies, events and the clock. */
@NullMarked
package dev.sluice.core;

import org.jspecify.annotations.NullMarked;
