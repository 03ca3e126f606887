package dev.sluice.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The daemon's admin token: created on first start as {@code <state-dir>/admin.token}, readable by
 * its owner only (mode 0600), and read from there by the CLI.
 */
public final class AdminToken {
  public static final String FILE = "admin.token";

  private AdminToken() {}

  /** Reads the token, creating it first when the state directory has none. */
  public static String ensure(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE);
    if (!Files.exists(file)) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = "slc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n");
      } catch (FileAlreadyExistsException e) {
        // another process created it first: use theirs
      } catch (UnsupportedOperationException e) {
        Files.writeString(file, token + "\n");
      }
    }
    return read(stateDir);
  }

  /** Reads the token of a state directory. */
  public static String read(Path stateDir) throws IOException {
    return Files.readString(stateDir.resolve(FILE)).trim();
  }
}
