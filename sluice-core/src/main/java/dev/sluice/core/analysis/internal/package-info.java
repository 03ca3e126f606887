/**
 * Details of the analysis package (the normal distribution, number formatting). Internal: may
 * change at any time.
 */
@NullMarked
package dev.sluice.core.analysis.internal;

import org.jspecify.annotations.NullMarked;
