package dev.sluice.server.flags;

import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How loading the spec's flag file went.
 *
 * @param path the file
 * @param loadedAt when its current content was last taken in (loaded, or found already loaded)
 * @param loadedVersion the flag set version its content became
 * @param error why the file's current content is not loaded (unreadable, invalid), or null
 */
public record FlagFileStatus(
    Path path, @Nullable Instant loadedAt, @Nullable Long loadedVersion, @Nullable String error) {}
