package dev.sluice.store;

import java.time.Instant;

/**
 * One version of the feature flag set as stored: who made the change, when, what it was, and the
 * whole set after it (so any version can be read back, exported or restored).
 *
 * @param version 1 for the first change, then one more per change
 * @param actor the token name that made the change, or {@code file} for the spec's flag file
 * @param action what was done: {@code import}, {@code put}, {@code delete}, {@code enable}, ...
 * @param detail a sentence for people, e.g. {@code disabled new-checkout in production}
 * @param document the flag set after the change, as flagd JSON with Sluice's extensions
 */
public record FlagVersionRecord(
    long version, Instant at, String actor, String action, String detail, String document) {}
