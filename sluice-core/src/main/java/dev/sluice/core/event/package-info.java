/**
 * The event log's vocabulary: every decision the controller makes is one of these, appended to the
 * store before it is acted on.
 */
@NullMarked
package dev.sluice.core.event;

import org.jspecify.annotations.NullMarked;
