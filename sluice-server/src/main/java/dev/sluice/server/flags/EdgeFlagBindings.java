package dev.sluice.server.flags;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.EdgeFlagsSpec;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.router.Router;
import dev.sluice.router.flags.EdgeFlags;
import dev.sluice.router.flags.EdgeFlags.Assignment;
import dev.sluice.router.flags.EdgeFlags.Source;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Connects the apps' {@code edgeFlags} to the router: for each such app the router gets an
 * evaluator that runs Sluice's flag engine on the current flag set (the set the API and the flag
 * file change, read afresh for every request, so a change reaches the next request) with the
 * context the router read from the request.
 *
 * <p>Evaluating at the edge counts as using the flag ({@code sluice flags stale}).
 */
public final class EdgeFlagBindings {
  private final Router router;
  private final FlagService flags;
  private final Map<String, EdgeFlagsSpec> byApp = new ConcurrentHashMap<>();

  public EdgeFlagBindings(Router router, FlagService flags) {
    this.router = router;
    this.flags = flags;
  }

  /**
   * Installs the edge flags of these apps (replacing what an earlier spec installed; an app without
   * {@code edgeFlags} gets none).
   */
  public synchronized void install(List<AppSpec> apps) {
    for (String app : List.copyOf(byApp.keySet())) {
      if (apps.stream().noneMatch(a -> a.name().equals(app) && a.edgeFlags() != null)) {
        router.edgeFlags(app, null);
        byApp.remove(app);
      }
    }
    for (AppSpec app : apps) {
      EdgeFlagsSpec spec = app.edgeFlags();
      if (spec != null && !spec.equals(byApp.get(app.name()))) {
        router.edgeFlags(app.name(), edgeFlags(spec, flags));
        byApp.put(app.name(), spec);
      }
    }
  }

  /** Returns the apps that evaluate {@code key} at the edge, in name order. */
  public List<String> appsEvaluating(String key) {
    List<String> out = new ArrayList<>();
    byApp.forEach(
        (app, spec) -> {
          if (spec.keys().contains(key)) {
            out.add(app);
          }
        });
    out.sort(null);
    return out;
  }

  /** The router's view of an app's edge flags, evaluated with {@code service}'s flags. */
  public static EdgeFlags edgeFlags(EdgeFlagsSpec spec, FlagService service) {
    Map<String, Source> context = new LinkedHashMap<>();
    spec.context().forEach((name, s) -> context.put(name, source(s)));
    return new EdgeFlags(
        spec.targetingKey() == null ? null : source(spec.targetingKey()),
        context,
        new Evaluator(List.copyOf(spec.keys()), spec.environment(), service.evaluator(), service));
  }

  private static Source source(EdgeFlagsSpec.Source s) {
    return s.kind() == EdgeFlagsSpec.Source.Kind.HEADER
        ? Source.header(s.name())
        : Source.cookie(s.name());
  }

  /** Evaluates the app's flags for one request, as OFREP would with the same context. */
  private record Evaluator(
      List<String> keys,
      @Nullable String environment,
      FlagEvaluator engine,
      @Nullable FlagService usage)
      implements EdgeFlags.Evaluator {
    @Override
    public List<Assignment> evaluate(@Nullable String targetingKey, Map<String, String> context) {
      EvaluationContext.Builder b =
          EvaluationContext.builder().targetingKey(targetingKey).environment(environment);
      context.forEach(b::set);
      EvaluationContext ec = b.build();
      List<Assignment> out = new ArrayList<>(keys.size());
      for (String key : keys) {
        EvaluationResult<?> r = engine.value(key, ec);
        if (!r.isError() && r.variant() != null) {
          out.add(new Assignment(key, r.variant()));
          if (usage != null) {
            usage.recordEvaluation(key);
          }
        }
      }
      return out;
    }
  }
}
