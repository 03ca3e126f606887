package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.ReplicaView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Two platforms behind one: apps a predicate picks (those that run on Kubernetes, say) go to one,
 * the others to the other. Each call goes to the platform the app was registered with.
 */
public final class PlatformByApp implements Platform {
  private final Platform picked;
  private final Platform others;
  private final Predicate<AppSpec> picks;
  private final Map<String, Platform> byApp = new ConcurrentHashMap<>();

  /**
   * @param picks which apps {@code picked} runs
   */
  public PlatformByApp(Predicate<AppSpec> picks, Platform picked, Platform others) {
    this.picks = picks;
    this.picked = picked;
    this.others = others;
  }

  @Override
  public void register(AppSpec app) {
    Platform p = picks.test(app) ? picked : others;
    p.register(app);
    byApp.put(app.name(), p);
  }

  @Override
  public void adopt(Collection<AppState> apps) {
    List<AppState> mine = new ArrayList<>();
    List<AppState> theirs = new ArrayList<>();
    for (AppState s : apps) {
      (byApp.get(s.app()) == picked ? mine : theirs).add(s);
    }
    picked.adopt(mine);
    others.adopt(theirs);
  }

  private Platform of(String app) {
    Platform p = byApp.get(app);
    if (p == null) {
      throw new IllegalArgumentException("no app named " + app + " was registered");
    }
    return p;
  }

  @Override
  public Map<String, VersionHealth> health(AppState state) {
    return of(state.app()).health(state);
  }

  @Override
  public void reconcile(AppState state) {
    of(state.app()).reconcile(state);
  }

  @Override
  public @Nullable String baseUrl(AppState state, String version) {
    return of(state.app()).baseUrl(state, version);
  }

  @Override
  public InetSocketAddress listenAddress(String app) {
    return of(app).listenAddress(app);
  }

  @Override
  public @Nullable InetSocketAddress previewAddress(String app) {
    Platform p = byApp.get(app);
    return p == null ? null : p.previewAddress(app);
  }

  @Override
  public List<ReplicaView> replicas(AppState state, String version) {
    return of(state.app()).replicas(state, version);
  }

  @Override
  public void close() {
    try {
      picked.close();
    } finally {
      others.close();
    }
  }
}
