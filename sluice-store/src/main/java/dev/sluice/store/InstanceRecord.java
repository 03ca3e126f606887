package dev.sluice.store;

import java.time.Instant;

/** A replica process the runtime started: enough to find it again after a restart. */
public record InstanceRecord(
    String app, String version, int index, long pid, int port, Instant startedAt) {}
