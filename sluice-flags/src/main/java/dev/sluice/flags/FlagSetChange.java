package dev.sluice.flags;

import java.util.Set;

/**
 * A swap of the current flag set in a {@link FlagSetHolder}.
 *
 * @param previous the set that was current before
 * @param current the set that is current now
 * @param changedKeys keys of flags added, removed or changed, in key order
 */
public record FlagSetChange(FlagSet previous, FlagSet current, Set<String> changedKeys) {}
