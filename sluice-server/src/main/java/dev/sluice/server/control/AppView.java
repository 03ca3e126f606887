package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Router;
import dev.sluice.runtime.process.ProcessSupervisor;
import dev.sluice.runtime.process.Replica;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the API shows of one app at one moment: its state from the log, where it listens, and its
 * versions' replicas as the runtime and the router see them.
 */
public record AppView(
    AppState state,
    InetSocketAddress listen,
    @Nullable InetSocketAddress preview,
    Map<String, VersionHealth> health,
    Map<String, List<ReplicaView>> replicas) {

  /** One replica: where it listens, its process, and whether it gets traffic. */
  public record ReplicaView(
      int index, String host, int port, long pid, String state, int restarts, boolean healthy) {}

  AppView(AppSlot slot, Observations observed, ProcessSupervisor supervisor, Router router) {
    this(
        slot.state,
        slot.listener.address(),
        slot.preview == null ? null : slot.preview.address(),
        observed.versions(),
        replicas(slot, supervisor, router));
  }

  private static Map<String, List<ReplicaView>> replicas(
      AppSlot slot, ProcessSupervisor supervisor, Router router) {
    Map<String, List<ReplicaView>> out = new LinkedHashMap<>();
    for (VersionState v : slot.state.versions().values()) {
      List<ReplicaView> list = new ArrayList<>();
      for (Replica r : supervisor.replicas(slot.name, v.version())) {
        boolean healthy = router.health().isHealthy(new Endpoint(r.id(), r.host(), r.port()));
        list.add(
            new ReplicaView(
                r.index(),
                r.host(),
                r.port(),
                r.pid(),
                r.state().name().toLowerCase(java.util.Locale.ROOT),
                r.restarts(),
                healthy));
      }
      out.put(v.version(), list);
    }
    return out;
  }
}
