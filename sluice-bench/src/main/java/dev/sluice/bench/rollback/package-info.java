/** How fast a failing canary is taken out of traffic, measured end to end. */
@NullMarked
package dev.sluice.bench.rollback;

import org.jspecify.annotations.NullMarked;
