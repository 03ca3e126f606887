/** The daemon: controller loop, control API, metrics providers, auth. */
@NullMarked
package dev.sluice.server;

import org.jspecify.annotations.NullMarked;
