package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Desired;
import dev.sluice.core.release.Observations;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Router;
import dev.sluice.router.RoutingTable;
import dev.sluice.runtime.process.ProcessSupervisor;
import dev.sluice.runtime.process.ProcessTemplate;
import dev.sluice.runtime.process.Replica;
import dev.sluice.runtime.process.ReplicaState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the runtime and the router match an app's {@link Desired} world, and reports what it sees
 * of them as {@link Observations}. Runs on the controller thread.
 *
 * <p>A version that leaves the routing table drains first: its processes are stopped only once its
 * requests in flight completed (at most {@code stopGrace} later), so a switch fails no request.
 */
final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final Router router;
  private final ProcessSupervisor supervisor;
  private final Templates templates;
  private final Executor controllerThread;

  /** The last health reason seen per endpoint id, for messages. */
  private final Map<String, String> healthReasons = new ConcurrentHashMap<>();

  Reconciler(
      Router router, ProcessSupervisor supervisor, Templates templates, Executor controllerThread) {
    this.router = router;
    this.supervisor = supervisor;
    this.templates = templates;
    this.controllerThread = controllerThread;
    router.health().addListener(c -> healthReasons.put(c.endpoint().id(), c.reason()));
  }

  /** What the runtime and router show of the app's versions right now. */
  Observations observe(AppSlot slot) {
    AppState state = slot.state;
    Map<String, VersionHealth> health = new TreeMap<>();
    for (VersionState v : state.versions().values()) {
      health.put(v.version(), health(slot, v));
    }
    return new Observations(health, slot.hookOutcomes, slot.openGates, slot.measured);
  }

  private VersionHealth health(AppSlot slot, VersionState v) {
    int running = 0;
    int healthy = 0;
    List<String> problems = new ArrayList<>();
    for (Member m : members(slot, v)) {
      if (!m.running) {
        problems.add("replica " + m.label + ": " + m.why);
        continue;
      }
      running++;
      if (router.health().isHealthy(m.endpoint)) {
        healthy++;
      } else {
        String reason = healthReasons.getOrDefault(m.endpoint.id(), "not checked yet");
        problems.add("replica " + m.label + ": " + reason);
      }
    }
    return new VersionHealth(running, healthy, String.join("; ", problems));
  }

  /** A replica as the reconciler sees it: where it listens and whether its process runs. */
  private record Member(String label, Endpoint endpoint, boolean running, String why) {}

  private List<Member> members(AppSlot slot, VersionState v) {
    List<Member> out = new ArrayList<>();
    AppSpec spec = templates.specOf(slot.state, v.revision());
    switch (spec.runtime()) {
      case RuntimeSpec.Process p -> {
        for (Replica r : supervisor.replicas(slot.name, v.version())) {
          if (r.index() >= v.replicas() || r.state() == ReplicaState.STOPPING) {
            continue;
          }
          boolean running = r.state() == ReplicaState.RUNNING;
          out.add(
              new Member(
                  Integer.toString(r.index()),
                  new Endpoint(r.id(), r.host(), r.port()),
                  running,
                  r.state().name().toLowerCase(java.util.Locale.ROOT)
                      + (r.restarts() > 0 ? " after " + r.restarts() + " restarts" : "")));
        }
      }
      case RuntimeSpec.Static s -> {
        List<URI> urls = s.versions().getOrDefault(v.version(), List.of());
        for (int i = 0; i < urls.size(); i++) {
          URI u = urls.get(i);
          String id = slot.name + "/" + v.version() + "/" + i;
          out.add(
              new Member(
                  Integer.toString(i), new Endpoint(id, u.getHost(), u.getPort()), true, ""));
        }
      }
    }
    return out;
  }

  /** Brings runtime, health checks and routing tables in line with the app's state. */
  void reconcile(AppSlot slot) {
    AppState state = slot.state;
    Desired desired = Desired.of(state);
    Set<Endpoint> live = new HashSet<>();
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    List<VersionState> shrink = new ArrayList<>();
    for (VersionState v : desired.versions().values()) {
      if (slot.stopping.contains(v.version())) {
        continue; // wanted again while it stops: it starts afresh once stopped
      }
      AppSpec spec = templates.specOf(state, v.revision());
      ProcessTemplate template = templates.process(spec);
      Integer scaled = slot.scaled.get(v.version());
      if (template != null && (scaled == null || v.replicas() > scaled)) {
        log.info("{}: {} runs {} replicas", slot.name, v.version(), v.replicas());
        supervisor.scale(slot.name, v.version(), template, v.replicas());
        slot.scaled.put(v.version(), v.replicas());
        slot.stopGrace.put(v.version(), template.stopGrace());
      } else if (template != null && v.replicas() < scaled) {
        shrink.add(v); // after the table no longer routes to the replicas that go
      }
      List<Endpoint> eps = new ArrayList<>();
      for (Member m : members(slot, v)) {
        eps.add(m.endpoint);
        live.add(m.endpoint);
        if (slot.watched.add(m.endpoint)) {
          router.health().watch(m.endpoint, Templates.health(spec));
        }
      }
      endpoints.put(v.version(), eps);
    }
    slot.listener.update(table(desired.weights(), endpoints));
    if (slot.preview != null) {
      String p = desired.preview();
      slot.preview.update(
          p == null || !endpoints.containsKey(p)
              ? RoutingTable.EMPTY
              : table(Map.of(p, 100), endpoints));
    }
    for (VersionState v : shrink) {
      if (slot.shrinking.add(v.version())) {
        shrink(slot, v, templates.process(templates.specOf(state, v.revision())));
      }
    }
    for (String version : new ArrayList<>(slot.scaled.keySet())) {
      if (!desired.versions().containsKey(version) && slot.stopping.add(version)) {
        stop(slot, version);
      }
    }
    for (Endpoint e : new ArrayList<>(slot.watched)) {
      if (!live.contains(e) && !isStopping(slot, e)) {
        router.health().unwatch(e);
        slot.watched.remove(e);
      }
    }
  }

  private static boolean isStopping(AppSlot slot, Endpoint e) {
    for (String v : slot.stopping) {
      if (e.id().startsWith(slot.name + "/" + v + "/")) {
        return true;
      }
    }
    return false;
  }

  private static RoutingTable table(
      Map<String, Integer> weights, Map<String, List<Endpoint>> endpoints) {
    RoutingTable.Builder b = RoutingTable.builder();
    for (Map.Entry<String, Integer> w : new TreeMap<>(weights).entrySet()) {
      List<Endpoint> eps = endpoints.get(w.getKey());
      if (w.getValue() > 0 && eps != null) {
        b.version(w.getKey(), w.getValue(), eps);
      }
    }
    return b.build();
  }

  /**
   * Scales a version down: the replicas that go are already out of the routing table; once their
   * requests in flight completed (at most stopGrace), the supervisor stops them.
   */
  private void shrink(AppSlot slot, VersionState v, ProcessTemplate template) {
    List<Endpoint> going = new ArrayList<>();
    for (Replica r : supervisor.replicas(slot.name, v.version())) {
      if (r.index() >= v.replicas()) {
        going.add(new Endpoint(r.id(), r.host(), r.port()));
      }
    }
    log.info(
        "{}: {} scales down to {} once {} replicas drained",
        slot.name,
        v.version(),
        v.replicas(),
        going.size());
    router
        .awaitDrained(going, template.stopGrace())
        .whenComplete(
            (drained, error) ->
                controllerThread.execute(
                    () -> {
                      slot.shrinking.remove(v.version());
                      if (slot.stopping.contains(v.version())) {
                        return;
                      }
                      supervisor.scale(slot.name, v.version(), template, v.replicas());
                      slot.scaled.put(v.version(), v.replicas());
                    }));
  }

  /** Drains a version that left the tables, then stops its processes. */
  private void stop(AppSlot slot, String version) {
    List<Endpoint> eps = new ArrayList<>();
    Duration grace = slot.stopGrace.getOrDefault(version, Duration.ofSeconds(10));
    for (Replica r : supervisor.replicas(slot.name, version)) {
      eps.add(new Endpoint(r.id(), r.host(), r.port()));
    }
    for (Endpoint e : slot.watched) {
      if (e.id().startsWith(slot.name + "/" + version + "/") && !eps.contains(e)) {
        eps.add(e);
      }
    }
    log.info("{}: {} left the routing table; stopping it once drained", slot.name, version);
    router
        .awaitDrained(eps, grace)
        .thenCompose(drained -> supervisor.stop(slot.name, version))
        .whenComplete(
            (ok, error) ->
                controllerThread.execute(
                    () -> {
                      slot.stopping.remove(version);
                      slot.scaled.remove(version);
                      for (Endpoint e : eps) {
                        if (slot.watched.remove(e)) {
                          router.health().unwatch(e);
                        }
                      }
                      log.info("{}: {} stopped", slot.name, version);
                    }));
  }
}
