/**
 * Flags evaluated at the edge: what a listener reads from each request to evaluate feature flags,
 * and the evaluator the router calls. The router itself knows no flag format.
 */
@NullMarked
package dev.sluice.router.flags;

import org.jspecify.annotations.NullMarked;
