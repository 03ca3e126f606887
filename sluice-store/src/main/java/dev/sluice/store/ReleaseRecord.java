package dev.sluice.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A release as stored: an immutable revision (version, spec) and its latest status. */
public record ReleaseRecord(
    String app,
    int revision,
    String version,
    String strategy,
    String trigger,
    String status,
    @Nullable String reason,
    Instant startedAt,
    Instant updatedAt,
    String spec) {}
