package dev.sluice.router.internal;

import dev.sluice.router.Endpoint;
import dev.sluice.router.health.HealthChange;
import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.router.health.HealthChecks;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active health checks: one {@link HealthProbe} per watched endpoint, each on one of the
 * router's event loops, and the listeners of health changes.
 */
final class HealthChecker implements HealthChecks {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final RouterCore core;
  private final ConcurrentHashMap<Endpoint, HealthProbe> probes = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<HealthChange>> listeners =
      new CopyOnWriteArrayList<>();

  HealthChecker(RouterCore core) {
    this.core = core;
  }

  @Override
  public void watch(Endpoint endpoint, HealthCheckOptions options) {
    Objects.requireNonNull(options, "options");
    EndpointState state = core.state(endpoint);
    HealthProbe probe = new HealthProbe(this, state, options, core.group.next());
    HealthProbe old = probes.put(endpoint, probe);
    if (old != null) {
      old.stop();
    }
    state.watched = true;
    if (old == null) {
      setHealthy(
          state,
          options.startHealthy(),
          options.startHealthy() ? "watched, starts healthy" : "watched, not yet checked");
    }
    probe.start();
  }

  @Override
  public void unwatch(Endpoint endpoint) {
    HealthProbe probe = probes.remove(endpoint);
    if (probe != null) {
      probe.stop();
      probe.state.watched = false;
      setHealthy(probe.state, true, "health checks stopped");
    }
  }

  @Override
  public boolean isHealthy(Endpoint endpoint) {
    EndpointState s = core.existingState(endpoint);
    return s == null || s.healthy;
  }

  @Override
  public void markDown(Endpoint endpoint, String reason) {
    EndpointState s = core.state(endpoint);
    HealthProbe probe = probes.get(endpoint);
    if (probe != null) {
      probe.restartCount();
    }
    setHealthy(s, false, reason);
  }

  @Override
  public void addListener(Consumer<HealthChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The proxy could not connect: a watched endpoint goes down until its checks pass again. */
  void connectFailed(EndpointState s, String reason) {
    if (s.watched && s.healthy) {
      markDown(s.endpoint, reason);
    }
  }

  void setHealthy(EndpointState s, boolean healthy, String reason) {
    boolean was = s.healthy;
    s.healthy = healthy;
    if (was != healthy) {
      HealthChange change = new HealthChange(s.endpoint, healthy, reason);
      for (Consumer<HealthChange> l : listeners) {
        try {
          l.accept(change);
        } catch (RuntimeException e) {
          log.warn("health listener failed on {}", change, e);
        }
      }
    }
  }

  Transport transport() {
    return core.transport;
  }

  void stopAll() {
    for (HealthProbe p : probes.values()) {
      p.stop();
    }
    probes.clear();
  }
}
