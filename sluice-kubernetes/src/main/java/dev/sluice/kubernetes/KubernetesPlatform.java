package dev.sluice.kubernetes;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.kubernetes.internal.NamespaceCache;
import dev.sluice.kubernetes.internal.PodHealth;
import dev.sluice.kubernetes.internal.Roles;
import dev.sluice.kubernetes.internal.TrafficRouter;
import dev.sluice.kubernetes.internal.Workloads;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.ReplicaView;
import dev.sluice.runtime.platform.SpecResolver;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases on Kubernetes: each version of an app is a Deployment scaled by the strategy, and
 * traffic moves by the app's router (a Service selector, HTTPRoute weights, a VirtualService, or
 * the ratio of replicas).
 *
 * <pre>{@code
 * KubernetesClient client = new KubernetesClientBuilder().build(); // KUBECONFIG or in-cluster
 * Platform platform = KubernetesPlatform.create(client, specs, Clock.systemUTC());
 * }</pre>
 *
 * <p>Reads come from informer caches of the Deployments and pods Sluice labelled, so the
 * controller's ten health reads a second cost the API server nothing. Writes happen only where the
 * cluster differs from the state: a Deployment's replicas and role label on every pass, Services
 * and routes when the traffic split changes and every {@link Options#resync} besides (which also
 * repairs hand edits). A version that left the state keeps its Deployment for {@link
 * Options#stopDelay} after traffic moved away (so the mesh stops sending to it first), then the
 * Deployment is deleted. An API call that fails is logged once and tried again on the next pass.
 */
public final class KubernetesPlatform implements Platform {
  private static final Logger log = LoggerFactory.getLogger(KubernetesPlatform.class);

  private final KubernetesClient client;
  private final SpecResolver specs;
  private final Clock clock;
  private final Options options;
  private final Map<String, NamespaceCache> caches = new ConcurrentHashMap<>();
  private final Map<String, KubeApp> apps = new ConcurrentHashMap<>();

  /**
   * How the platform paces its writes.
   *
   * @param stopDelay how long a version's Deployment stays after it left the state
   * @param resync how often Services and routes are checked when nothing changed
   */
  public record Options(Duration stopDelay, Duration resync) {
    public static final Options DEFAULT =
        new Options(Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  /** What the platform holds for one app. */
  private static final class KubeApp {
    final AppSpec spec;
    final RuntimeSpec.Kubernetes runtime;
    final TrafficRouter router;
    final NamespaceCache cache;
    final Map<String, String> problems = new ConcurrentHashMap<>();
    final Map<String, Instant> leftAt = new HashMap<>();
    volatile @Nullable Roles routed;
    @Nullable Instant routedAt;
    @Nullable String lastError;

    KubeApp(AppSpec spec, TrafficRouter router, NamespaceCache cache) {
      this.spec = spec;
      this.runtime = (RuntimeSpec.Kubernetes) spec.runtime();
      this.router = router;
      this.cache = cache;
    }
  }

  private KubernetesPlatform(
      KubernetesClient client, SpecResolver specs, Clock clock, Options options) {
    this.client = client;
    this.specs = specs;
    this.clock = clock;
    this.options = options;
  }

  /** A platform using {@code client}, which stays the caller's to close. */
  public static KubernetesPlatform create(
      KubernetesClient client, SpecResolver specs, Clock clock, Options options) {
    return new KubernetesPlatform(
        Objects.requireNonNull(client, "client"),
        Objects.requireNonNull(specs, "specs"),
        Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(options, "options"));
  }

  public static KubernetesPlatform create(
      KubernetesClient client, SpecResolver specs, Clock clock) {
    return create(client, specs, clock, Options.DEFAULT);
  }

  /**
   * Starts watching the app's namespace.
   *
   * @throws IllegalArgumentException when the app does not run on Kubernetes
   * @throws KubernetesClientException when the API server cannot be reached
   */
  @Override
  public void register(AppSpec app) {
    if (!(app.runtime() instanceof RuntimeSpec.Kubernetes k)) {
      throw new IllegalArgumentException(app.name() + " does not run on Kubernetes");
    }
    NamespaceCache cache =
        caches.computeIfAbsent(k.namespace(), ns -> NamespaceCache.start(client, ns));
    apps.put(app.name(), new KubeApp(app, TrafficRouter.of(client, app.name(), k), cache));
    log.info(
        "{}: versions run as Deployments in namespace {}, traffic by {}",
        app.name(),
        k.namespace(),
        k.traffic().kind());
  }

  /** Nothing to take over: Deployments outlive Sluice, and the caches list them. */
  @Override
  public void adopt(Collection<AppState> states) {}

  @Override
  public Map<String, VersionHealth> health(AppState state) {
    KubeApp app = app(state.app());
    Map<String, VersionHealth> out = new TreeMap<>();
    for (VersionState v : state.versions().values()) {
      String name = Names.deployment(state.app(), v.version());
      out.put(
          v.version(),
          PodHealth.of(
              name,
              app.cache.deployment(name),
              app.cache.podsOf(state.app(), v.version()),
              app.problems.get(v.version())));
    }
    return out;
  }

  @Override
  public void reconcile(AppState state) {
    KubeApp app = app(state.app());
    Roles roles = Roles.of(state);
    Map<String, Integer> pods = app.router.pods(state, roles);
    try {
      for (VersionState v : state.versions().values()) {
        scale(app, state, v, pods.getOrDefault(v.version(), v.replicas()), roles);
      }
      route(app, roles);
      stopLeftovers(app, state);
      app.lastError = null;
    } catch (KubernetesClientException | TrafficRouter.RouteException e) {
      String message = e.getMessage();
      if (!Objects.equals(message, app.lastError)) {
        log.warn("{}: cannot make the cluster match yet (trying again): {}", state.app(), message);
        app.lastError = message;
      }
      app.routed = null; // route again on the next pass
    }
  }

  /** Creates or scales one version's Deployment and keeps its role label. */
  private void scale(KubeApp app, AppState state, VersionState v, int want, Roles roles) {
    String name = Names.deployment(state.app(), v.version());
    String role = roles.roleOf(v.version());
    app.leftAt.remove(v.version());
    Deployment d = app.cache.deployment(name);
    if (d == null) {
      AppSpec spec = specs.specOf(state, v.revision());
      Deployment made;
      try {
        made = Workloads.deployment(client, spec, v.version(), v.revision(), want, role);
      } catch (Workloads.TemplateException e) {
        app.problems.put(v.version(), e.getMessage());
        return;
      }
      app.problems.remove(v.version());
      try {
        client.apps().deployments().inNamespace(app.runtime.namespace()).resource(made).create();
        log.info(
            "{}: created Deployment {} for {} ({} pods)", state.app(), name, v.version(), want);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) { // the cache has not seen our own create yet
          throw e;
        }
      }
      return;
    }
    Integer replicas = d.getSpec() == null ? null : d.getSpec().getReplicas();
    Map<String, String> labels = d.getMetadata().getLabels();
    String current = labels == null ? null : labels.get(Names.ROLE);
    if (!Objects.equals(replicas, want) || !Objects.equals(current, role)) {
      client
          .apps()
          .deployments()
          .inNamespace(app.runtime.namespace())
          .withName(name)
          .edit(
              e -> {
                e.getSpec().setReplicas(want);
                Map<String, String> l =
                    new java.util.LinkedHashMap<>(
                        Objects.requireNonNullElse(e.getMetadata().getLabels(), Map.of()));
                if (role == null) {
                  l.remove(Names.ROLE);
                } else {
                  l.put(Names.ROLE, role);
                }
                e.getMetadata().setLabels(l);
                return e;
              });
      if (!Objects.equals(replicas, want)) {
        log.info("{}: {} runs {} pods", state.app(), v.version(), want);
      }
    }
  }

  private void route(KubeApp app, Roles roles) throws TrafficRouter.RouteException {
    Instant now = clock.instant();
    if (roles.equals(app.routed)
        && app.routedAt != null
        && now.isBefore(app.routedAt.plus(options.resync()))) {
      return;
    }
    app.router.route(roles, targetPort(app));
    if (!roles.equals(app.routed)) {
      log.info(
          "{}: traffic: stable {} ({}%), new {} ({}%)",
          app.spec.name(),
          roles.stable(),
          roles.stableWeight(),
          roles.canary(),
          roles.canaryWeight());
    }
    app.routed = roles;
    app.routedAt = now;
  }

  /** Deletes the Deployments of versions that left the state, {@code stopDelay} after they did. */
  private void stopLeftovers(KubeApp app, AppState state) {
    Instant now = clock.instant();
    for (Deployment d : app.cache.deploymentsOf(state.app())) {
      Map<String, String> notes = d.getMetadata().getAnnotations();
      String version = notes == null ? null : notes.get(Names.VERSION);
      if (version == null || state.versions().containsKey(version)) {
        continue;
      }
      Instant left = app.leftAt.computeIfAbsent(version, v -> now);
      if (now.isBefore(left.plus(options.stopDelay()))) {
        continue;
      }
      client
          .apps()
          .deployments()
          .inNamespace(app.runtime.namespace())
          .withName(d.getMetadata().getName())
          .delete();
      app.leftAt.remove(version);
      log.info(
          "{}: {} stopped (Deployment {} deleted)",
          state.app(),
          version,
          d.getMetadata().getName());
    }
  }

  /** The pods' port: the spec's, else the first container port of a version's Deployment. */
  private static int targetPort(KubeApp app) {
    List<Deployment> ds = app.cache.deploymentsOf(app.spec.name());
    return Workloads.targetPort(app.runtime, ds.isEmpty() ? null : ds.get(0));
  }

  /**
   * The preview Service for a blue-green's new version, the canary (or stable) Service of a version
   * in that part, else the address of one of the version's ready pods.
   */
  @Override
  public @Nullable String baseUrl(AppState state, String version) {
    KubeApp app = app(state.app());
    String url = app.router.url(Roles.of(state), version);
    if (url != null) {
      return url;
    }
    Deployment d = app.cache.deployment(Names.deployment(state.app(), version));
    int port = Workloads.targetPort(app.runtime, d);
    for (Pod p : app.cache.podsOf(state.app(), version)) {
      if (PodHealth.ready(p) && p.getStatus().getPodIP() != null) {
        return "http://" + new HostPort(p.getStatus().getPodIP(), port);
      }
    }
    return null;
  }

  /** The app's main Service inside the cluster (unresolved: Sluice may run outside it). */
  @Override
  public InetSocketAddress listenAddress(String name) {
    HostPort listen = app(name).spec.listen();
    return InetSocketAddress.createUnresolved(listen.host(), listen.port());
  }

  @Override
  public @Nullable InetSocketAddress previewAddress(String name) {
    KubeApp app = apps.get(name);
    String preview = app == null ? null : app.router.previewService();
    return preview == null
        ? null
        : InetSocketAddress.createUnresolved(
            preview + "." + app.runtime.namespace() + ".svc", app.runtime.port());
  }

  @Override
  public List<ReplicaView> replicas(AppState state, String version) {
    KubeApp app = app(state.app());
    Deployment d = app.cache.deployment(Names.deployment(state.app(), version));
    return PodHealth.views(
        app.cache.podsOf(state.app(), version), Workloads.targetPort(app.runtime, d));
  }

  /** Whether this platform runs {@code app} (it was registered). */
  public boolean runs(String app) {
    return apps.containsKey(app);
  }

  private KubeApp app(String name) {
    KubeApp app = apps.get(name);
    if (app == null) {
      throw new IllegalArgumentException(name + " is not registered with the Kubernetes platform");
    }
    return app;
  }

  /** Stops the informers; the Deployments, Services and routes stay as they are. */
  @Override
  public void close() {
    caches.values().forEach(NamespaceCache::close);
    caches.clear();
  }
}
