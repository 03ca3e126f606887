package dev.sluice.runtime.process;

import java.io.Serial;

/**
 * Thrown by {@link ProcessSupervisor#scale} when a replica cannot be started at all (the command's
 * program is not found, the log directory cannot be created); nothing was changed for the version.
 */
public final class ReplicaStartException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final String app;
  private final String version;

  /** Creates one for {@code app}/{@code version} with a message for people. */
  public ReplicaStartException(String app, String version, String message) {
    super(app + " " + version + ": " + message);
    this.app = app;
    this.version = version;
  }

  /** The app whose replica could not start. */
  public String app() {
    return app;
  }

  /** The version whose replica could not start. */
  public String version() {
    return version;
  }
}
