package dev.sluice.server.flags;

import java.util.Set;

/**
 * A new version of the flag set, as announced to listeners and on the change stream.
 *
 * @param changedKeys flags added, removed, or changed in their definition or evaluation, in key
 *     order
 */
public record FlagSetUpdate(
    FlagSetVersion previous, FlagSetVersion current, Set<String> changedKeys) {}
