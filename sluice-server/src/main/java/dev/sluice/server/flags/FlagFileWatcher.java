package dev.sluice.server.flags;

import dev.sluice.flags.FlagSet;
import dev.sluice.flags.InvalidFlagSetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the spec's flag file loaded (flags kept in git and rolled out by a GitOps tool).
 *
 * <p>It polls the file's attributes instead of using a {@link java.nio.file.WatchService} because
 * the ways such files change defeat directory events: a Kubernetes ConfigMap volume swaps a
 * symlinked directory, editors and {@code git checkout} replace the file by renaming, network file
 * systems send no events at all. Reading the modification time, size and file key (inode) of the
 * file behind any symlinks catches all of them, at the cost of one {@code stat} per interval. The
 * content is hashed so a touch without a change loads nothing.
 */
final class FlagFileWatcher {
  private static final Logger log = LoggerFactory.getLogger(FlagFileWatcher.class);

  private final Path path;
  private final FlagService service;
  private final Clock clock;
  private @Nullable String seen;
  private byte @Nullable [] seenHash;
  private volatile FlagFileStatus status;

  FlagFileWatcher(Path path, FlagService service, Clock clock) {
    this.path = path;
    this.service = service;
    this.clock = clock;
    this.status = new FlagFileStatus(path, null, null, "not read yet");
  }

  FlagFileStatus status() {
    return status;
  }

  /** Loads the file when it changed since the last check; {@code startup} for the first check. */
  synchronized void check(boolean startup) {
    byte[] content;
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      String attributes = a.lastModifiedTime() + " " + a.size() + " " + a.fileKey();
      if (attributes.equals(seen)) {
        return;
      }
      seen = attributes;
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      seen = null;
      fail("no such file");
      return;
    } catch (IOException e) {
      seen = null;
      fail("cannot read it: " + e.getMessage());
      return;
    }
    byte[] hash = sha256(content);
    if (Arrays.equals(hash, seenHash) && status.error() == null) {
      return;
    }
    seenHash = hash;
    FlagSet set;
    try {
      set = FlagSet.parse(content);
    } catch (InvalidFlagSetException e) {
      fail(e.getMessage() + "\n(the flags loaded before stay in use)");
      return;
    }
    FlagCommit c;
    try {
      c = service.loadFile(path, set, startup);
    } catch (RuntimeException e) {
      seen = null; // try again at the next check
      seenHash = null;
      fail("cannot store it: " + e.getMessage());
      return;
    }
    if (c.changed()) {
      log.info("loaded the flag file {}: version {}", path, c.version().version());
    }
    status = new FlagFileStatus(path, clock.instant(), c.version().version(), null);
  }

  private void fail(String error) {
    if (!Objects.equals(error, status.error())) {
      log.warn("the flag file {} is not loaded: {}", path, error);
    }
    status = new FlagFileStatus(path, status.loadedAt(), status.loadedVersion(), error);
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
