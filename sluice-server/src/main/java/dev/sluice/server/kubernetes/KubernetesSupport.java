package dev.sluice.server.kubernetes;

import dev.sluice.core.event.EventRecord;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.core.spec.Spec;
import dev.sluice.kubernetes.KubernetesPlatform;
import dev.sluice.kubernetes.lease.LeaseElection;
import dev.sluice.kubernetes.release.ReleaseWatcher;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.SpecResolver;
import dev.sluice.server.control.AppView;
import dev.sluice.server.control.Controller;
import dev.sluice.server.control.Leadership;
import dev.sluice.server.control.PlatformByApp;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon holds for Kubernetes: the client, the leader election, the platform of the
 * Kubernetes apps, and the watcher of Release resources. Made only when the spec has a Kubernetes
 * app or a Lease is asked for.
 */
public final class KubernetesSupport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubernetesSupport.class);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubernetesOptions options;
  private final Set<String> namespaces;
  private final @Nullable LeaseLeadership leadership;
  private @Nullable ReleaseWatcher watcher;
  private @Nullable Runnable unsubscribe;

  private KubernetesSupport(
      KubernetesClient client,
      boolean ownsClient,
      KubernetesOptions options,
      Set<String> namespaces,
      @Nullable LeaseLeadership leadership) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.options = options;
    this.namespaces = namespaces;
    this.leadership = leadership;
  }

  /** Connects when {@code spec} has Kubernetes apps or a Lease is asked for; null otherwise. */
  public static @Nullable KubernetesSupport start(Spec spec, KubernetesOptions options) {
    Set<String> namespaces = new TreeSet<>();
    for (AppSpec a : spec.apps()) {
      if (a.runtime() instanceof RuntimeSpec.Kubernetes k) {
        namespaces.add(k.namespace());
      }
    }
    if (namespaces.isEmpty() && options.lease() == null) {
      return null;
    }
    boolean owns = options.client() == null;
    KubernetesClient client = owns ? new KubernetesClientBuilder().build() : options.client();
    log.info("Kubernetes API server {}", client.getMasterUrl());
    LeaseLeadership leadership = null;
    KubernetesOptions.Lease lease = options.lease();
    if (lease != null) {
      leadership =
          new LeaseLeadership(
              LeaseElection.start(
                  client, lease.namespace(), lease.name(), lease.identity(), lease.timing()));
    }
    return new KubernetesSupport(client, owns, options, namespaces, leadership);
  }

  /** Whether this instance decides: the Lease's holder, or always without a Lease. */
  public Leadership leadership() {
    return leadership == null ? Leadership.ALWAYS : leadership;
  }

  /** The platform for every app: Kubernetes apps on Kubernetes, the others on {@code local}. */
  public Platform platform(Platform local, SpecResolver specs, Clock clock) {
    KubernetesPlatform kubernetes = KubernetesPlatform.create(client, specs, clock);
    return new PlatformByApp(
        app -> app.runtime() instanceof RuntimeSpec.Kubernetes, kubernetes, local);
  }

  /**
   * Starts turning Release resources in the apps' namespaces into deploys, and writes each app's
   * release progress back to them.
   *
   * @param specFile read again before each deploy, as {@code sluice deploy} does
   */
  public void watchReleases(Controller controller, @Nullable Path specFile) {
    if (!options.watchReleases() || namespaces.isEmpty()) {
      return;
    }
    Leadership lead = leadership();
    ReleaseWatcher w =
        ReleaseWatcher.start(
            client, namespaces, new ReleaseDeploys(controller, specFile), lead::isLeader);
    watcher = w;
    unsubscribe =
        controller.subscribe(
            (EventRecord r) ->
                w.publish(
                    r.app(),
                    () -> {
                      AppView view = controller.view(r.app());
                      return view == null
                          ? ReleaseDeploys.status(dev.sluice.core.release.AppState.empty(r.app()))
                          : ReleaseDeploys.status(view.state());
                    }));
  }

  @Override
  public void close() {
    if (unsubscribe != null) {
      unsubscribe.run();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (leadership != null) {
      leadership.close();
    }
    if (ownsClient) {
      client.close();
    }
  }
}
