package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import java.time.Instant;
import java.util.List;

/**
 * A release strategy as a pure state machine: from the app's state, the release in progress, what
 * was observed and the time, the events that move the release on.
 *
 * <p>No threads, sockets or sleeps: waiting is returning no events, and time only moves through
 * {@code now}, so a strategy is tested with a fake clock.
 */
public interface ReleaseStrategy {

  /** The next events of the release; empty while it waits. */
  List<Event> decide(AppState state, Release release, Observations observed, Instant now);
}
