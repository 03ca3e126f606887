/** The CLI's client of the control API. */
@NullMarked
package dev.sluice.cli.client;

import org.jspecify.annotations.NullMarked;
