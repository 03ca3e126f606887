/**
 * Releases as pure state machines: an app's state folded from its events, the strategies that
 * decide the next events from that state and what was observed, and the commands people give. No
 * threads, sockets or sleeps here; time is a parameter.
 */
@NullMarked
package dev.sluice.core.release;

import org.jspecify.annotations.NullMarked;
