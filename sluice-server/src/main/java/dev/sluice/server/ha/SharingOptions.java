package dev.sluice.server.ha;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.Spec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How a Sluice process finds its store and shares it with other processes.
 *
 * @param store where the store is ({@code postgres://...}, {@code sqlite:PATH} or a path; see
 *     {@link dev.sluice.store.Store#open}); null for {@code sluice.db} in the state directory
 * @param appListen listen addresses that replace the spec's for this process, by app name: every
 *     process of a group reads the same spec, and two processes on one host cannot bind the same
 *     address
 * @param routerOnly a process that routes by the leader's decisions and never leads
 * @param leaseTtl how long the leader's lease lasts without renewal: about the failover time
 * @param stopReplicasOnClose whether closing a process on a shared store stops the replicas it
 *     runs; false (the default) leaves them for the next leader, as a crash would. Tests set it to
 *     leave nothing behind.
 */
public record SharingOptions(
    @Nullable String store,
    Map<String, HostPort> appListen,
    boolean routerOnly,
    Duration leaseTtl,
    boolean stopReplicasOnClose) {

  /** The default: a store of its own in the state directory. */
  public static final SharingOptions NONE =
      new SharingOptions(null, Map.of(), false, StoreLeadership.DEFAULT_TTL, false);

  public SharingOptions {
    appListen = Map.copyOf(appListen);
  }

  public SharingOptions withStore(@Nullable String location) {
    return new SharingOptions(location, appListen, routerOnly, leaseTtl, stopReplicasOnClose);
  }

  public SharingOptions withAppListen(Map<String, HostPort> listen) {
    return new SharingOptions(store, listen, routerOnly, leaseTtl, stopReplicasOnClose);
  }

  public SharingOptions asRouterOnly() {
    return new SharingOptions(store, appListen, true, leaseTtl, stopReplicasOnClose);
  }

  public SharingOptions withLeaseTtl(Duration ttl) {
    return new SharingOptions(store, appListen, routerOnly, ttl, stopReplicasOnClose);
  }

  public SharingOptions withStopReplicasOnClose(boolean stop) {
    return new SharingOptions(store, appListen, routerOnly, leaseTtl, stop);
  }

  /**
   * The spec with this process's listen addresses.
   *
   * @throws IllegalArgumentException when an override names an app the spec does not have
   */
  public Spec apply(Spec spec) {
    if (appListen.isEmpty()) {
      return spec;
    }
    List<String> names = spec.apps().stream().map(AppSpec::name).toList();
    for (String app : new TreeMap<>(appListen).keySet()) {
      if (!names.contains(app)) {
        throw new IllegalArgumentException(
            "--app-listen: no app named "
                + app
                + " in the spec (apps: "
                + String.join(", ", names)
                + ")");
      }
    }
    List<AppSpec> apps = new ArrayList<>();
    for (AppSpec a : spec.apps()) {
      HostPort at = appListen.get(a.name());
      apps.add(at == null ? a : a.withListen(at));
    }
    return new Spec(apps, spec.flags());
  }
}
