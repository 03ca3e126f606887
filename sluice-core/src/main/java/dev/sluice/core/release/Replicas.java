package dev.sluice.core.release;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import java.util.List;

/** How many replicas a version runs under an app's spec. */
final class Replicas {
  private Replicas() {}

  static int of(AppSpec spec, String version) {
    return switch (spec.runtime()) {
      case RuntimeSpec.Process p -> p.replicas();
      case RuntimeSpec.Static s -> s.versions().getOrDefault(version, List.of()).size();
      case RuntimeSpec.Kubernetes k -> k.replicas();
    };
  }
}
