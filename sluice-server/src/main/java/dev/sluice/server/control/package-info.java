/**
 * The controller: one thread that turns observations into decisions (through the pure strategies of
 * sluice-core), writes them to the store, then makes the runtime and the router match.
 */
@NullMarked
package dev.sluice.server.control;

import org.jspecify.annotations.NullMarked;
