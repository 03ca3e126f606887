package dev.sluice.server.flags;

import java.util.Set;

/**
 * What a change request to the flag set did.
 *
 * @param version the current version after the request: a new one when something changed, the same
 *     one when the request asked for what already was
 * @param changed whether a new version was stored
 * @param changedKeys the flags that changed, in key order (empty when nothing did)
 */
public record FlagCommit(FlagSetVersion version, boolean changed, Set<String> changedKeys) {}
