package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.ReplicaView;
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
