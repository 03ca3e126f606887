package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import java.net.InetSocketAddress;
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

  static AppView of(AppState state, Platform platform) {
    Map<String, List<ReplicaView>> replicas = new LinkedHashMap<>();
    for (VersionState v : state.versions().values()) {
      replicas.put(v.version(), platform.replicas(state, v.version()));
    }
    return new AppView(
        state,
        platform.listenAddress(state.app()),
        platform.previewAddress(state.app()),
        platform.health(state),
        replicas);
  }
}
