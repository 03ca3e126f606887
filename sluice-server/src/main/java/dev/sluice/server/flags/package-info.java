/**
 * Feature flags in the daemon: the stored, versioned flag set ({@link
 * dev.sluice.server.flags.FlagService}), its admin API ({@link dev.sluice.server.flags.FlagsApi}),
 * OFREP evaluation ({@link dev.sluice.server.flags.OfrepApi}) and the change stream that SDKs
 * evaluating in process follow. The engine itself is {@code dev.sluice.flags}.
 */
@NullMarked
package dev.sluice.server.flags;

import org.jspecify.annotations.NullMarked;
