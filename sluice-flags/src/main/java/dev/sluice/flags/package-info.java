/** Flag engine: flagd-format definitions, JSON Logic targeting, evaluation. */
@NullMarked
package dev.sluice.flags;

import org.jspecify.annotations.NullMarked;
