/**
 * Shadow traffic: copies of selected requests sent to a shadow version whose answers never reach
 * clients, their comparison with the primary answers, and the results (counts per window, the
 * {@code diff_rate}, samples of differing pairs).
 */
@NullMarked
package dev.sluice.router.shadow;

import org.jspecify.annotations.NullMarked;
