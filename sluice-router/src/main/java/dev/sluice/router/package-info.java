/**
 * The data plane on raw Netty 4: listeners, routing table, selection, health, per-version metrics.
 */
@NullMarked
package dev.sluice.router;

import org.jspecify.annotations.NullMarked;
