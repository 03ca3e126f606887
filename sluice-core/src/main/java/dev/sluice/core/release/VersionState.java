package dev.sluice.core.release;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A version that should be running.
 *
 * @param revision the release whose spec starts its replicas
 * @param replicas how many replicas should run
 * @param retireAt when a version kept warm after a switch is stopped; null when it stays
 */
public record VersionState(
    String version, int revision, int replicas, @Nullable Instant retireAt) {}
