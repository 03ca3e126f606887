/** The sluice command, the demo and the sample app; builds the runnable jar. */
@NullMarked
package dev.sluice.cli;

import org.jspecify.annotations.NullMarked;
