package dev.sluice.core.spec;

import java.time.Duration;
import java.util.List;

/** One action run at a fixed point of a release: a command or an HTTP call. */
public sealed interface HookSpec {

  /** How long the hook may take before it counts as failed. */
  Duration timeout();

  /**
   * Runs a command; exit status 0 passes. The environment has {@code SLUICE_APP}, {@code
   * SLUICE_VERSION}, {@code SLUICE_STABLE} and {@code SLUICE_PHASE}, and {@code SLUICE_PREVIEW}
   * (the new version's base URL) before promotion.
   */
  record Run(List<String> command, Duration timeout) implements HookSpec {
    public Run {
      command = List.copyOf(command);
    }
  }

  /**
   * Calls a URL; a 2xx answer passes. A {@code target} that starts with {@code /} is a path
   * requested from the new version (through the preview address when there is one): an HTTP smoke
   * test.
   */
  record Http(String target, String method, Duration timeout) implements HookSpec {}
}
