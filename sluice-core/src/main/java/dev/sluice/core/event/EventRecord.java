package dev.sluice.core.event;

import java.time.Instant;

/**
 * An event as stored: its app, its place in the app's log (1, 2, 3... without gaps) and when it was
 * decided.
 */
public record EventRecord(String app, long seq, Instant at, Event event) {}
