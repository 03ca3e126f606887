/**
 * Releases on one host: Sluice's own router moves the traffic and its process supervisor runs the
 * versions.
 */
@NullMarked
package dev.sluice.server.local;

import org.jspecify.annotations.NullMarked;
