package dev.sluice.server.control;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.spec.AppSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One app as the controller holds it. The volatile fields are read by API threads; everything else
 * belongs to the controller thread.
 */
final class AppSlot {
  final String name;
  volatile AppSpec spec;
  volatile AppState state;

  /** Hook phases started, as {@code revision/phase}, and the outcomes of finished ones. */
  final Set<String> hooksStarted = new HashSet<>();

  final List<HookOutcome> hookOutcomes = new ArrayList<>();

  /** Canary gates that answered 200, as {@code revision/step}, and when each was last asked. */
  final Set<String> openGates = new HashSet<>();

  final Map<String, Instant> gateAsked = new HashMap<>();

  /**
   * Analysis results not yet recorded, by {@code revision/run/n}, and the runs being measured now
   * (as {@code revision/run}).
   */
  final Map<String, AnalysisResult> measured = new HashMap<>();

  final Set<String> measuring = new HashSet<>();

  AppSlot(AppSpec spec, AppState state) {
    this.name = spec.name();
    this.spec = spec;
    this.state = state;
  }
}
