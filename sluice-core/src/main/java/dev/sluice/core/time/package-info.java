/** Time as a dependency: the clocks Sluice's components are given. */
@NullMarked
package dev.sluice.core.time;

import org.jspecify.annotations.NullMarked;
