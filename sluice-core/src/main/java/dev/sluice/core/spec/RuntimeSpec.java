package dev.sluice.core.spec;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Where an app's versions run: processes Sluice supervises, or endpoints the user runs. */
public sealed interface RuntimeSpec {

  /**
   * Each replica of a version is a child process of Sluice.
   *
   * @param command the command line; {@code ${version}} is replaced by the version, and {@code
   *     $PORT} is set in the environment
   * @param replicas how many replicas each version runs
   * @param stopGrace how long a replica has between SIGTERM and SIGKILL; also bounds draining
   * @param env extra environment variables
   * @param workingDir the replicas' working directory, relative to the spec file; null for the
   *     daemon's
   */
  record Process(
      List<String> command,
      int replicas,
      Duration stopGrace,
      Map<String, String> env,
      @Nullable String workingDir)
      implements RuntimeSpec {
    public Process {
      command = List.copyOf(command);
      env = Map.copyOf(env);
    }
  }

  /**
   * Versions are endpoints the user runs; Sluice only routes to them.
   *
   * @param versions version name to its replicas' base URLs
   */
  record Static(Map<String, List<URI>> versions) implements RuntimeSpec {
    public Static {
      versions = Map.copyOf(versions);
    }
  }
}
