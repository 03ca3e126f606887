package dev.sluice.server.flags;

import dev.sluice.flags.FlagSet;
import java.time.Instant;

/**
 * The flag set at one version: version 0 is the empty set before any change, each stored change
 * adds one.
 *
 * @param at when this version was made (for version 0, when the server started)
 */
public record FlagSetVersion(long version, FlagSet flags, Instant at) {}
