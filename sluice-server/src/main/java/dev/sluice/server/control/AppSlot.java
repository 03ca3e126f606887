package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One app as the controller holds it. The volatile fields are read by API threads; everything else
 * belongs to the controller thread.
 */
final class AppSlot {
  final String name;
  volatile AppSpec spec;
  volatile AppState state;
  final Listener listener;
  final @Nullable Listener preview;

  /** Replica counts the runtime was asked for, by version. */
  final Map<String, Integer> scaled = new HashMap<>();

  /** How long each version's replicas may take to stop; also bounds its draining. */
  final Map<String, java.time.Duration> stopGrace = new HashMap<>();

  /**
   * Analysis results not yet recorded, by {@code revision/run/n}, and the runs being measured now
   * (as {@code revision/run}).
   */
  final Map<String, dev.sluice.core.analysis.AnalysisResult> measured = new HashMap<>();

  final Set<String> measuring = new HashSet<>();

  /** Versions draining some replicas before scaling down. */
  final Set<String> shrinking = new HashSet<>();

  /** Canary gates that answered 200, as {@code revision/step}, and when each was last asked. */
  final Set<String> openGates = new HashSet<>();

  final Map<String, java.time.Instant> gateAsked = new HashMap<>();

  /** Versions draining before their processes stop. */
  final Set<String> stopping = new HashSet<>();

  /** Endpoints under active health checks. */
  final Set<Endpoint> watched = new HashSet<>();

  /** Hook phases started, as {@code revision/phase}, and the outcomes of finished ones. */
  final Set<String> hooksStarted = new HashSet<>();

  final List<HookOutcome> hookOutcomes = new ArrayList<>();

  AppSlot(AppSpec spec, AppState state, Listener listener, @Nullable Listener preview) {
    this.name = spec.name();
    this.spec = spec;
    this.state = state;
    this.listener = listener;
    this.preview = preview;
  }
}
