package dev.sluice.server.local;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Desired;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HealthSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.ProtocolSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.core.spec.UpstreamSpec;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Mount;
import dev.sluice.router.RetryBudget;
import dev.sluice.router.Router;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.TlsFiles;
import dev.sluice.router.UpstreamProtocol;
import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.ReplicaView;
import dev.sluice.runtime.platform.SpecResolver;
import dev.sluice.runtime.process.ProcessSupervisor;
import dev.sluice.runtime.process.ProcessTemplate;
import dev.sluice.runtime.process.Replica;
import dev.sluice.runtime.process.ReplicaAdoptionException;
import dev.sluice.runtime.process.ReplicaEvent;
import dev.sluice.runtime.process.ReplicaState;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Store;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases on one host: the router's listeners route each app's traffic by the state's weights, and
 * the process supervisor runs the replicas of each version (or a static runtime names them).
 *
 * <p>A version (or some of its replicas) that leaves the routing table drains first: its processes
 * are stopped only once its requests in flight completed and its tunnels (WebSockets) closed (at
 * most {@code stopGrace}, or the drain timeout of tunnels when longer), so a switch fails no
 * request. Every replica started is recorded in the store, so a daemon restarted after a crash
 * adopts the replicas that still run instead of starting them again.
 */
public final class LocalPlatform implements Platform {
  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

  /** Time for a tunnel ended at its drain timeout to finish its close handshake. */
  private static final Duration TUNNEL_CLOSE_SLACK = Duration.ofSeconds(3);

  private final Router router;
  private final ProcessSupervisor supervisor;
  private final Store store;
  private final SpecResolver specs;
  private final Path baseDir;
  private final Clock clock;
  private volatile Executor controller = Runnable::run;
  private final Map<String, LocalApp> apps = new ConcurrentHashMap<>();

  /**
   * Replicas taken over from a previous run. They were serving a moment ago, so they get traffic at
   * once (their checks still run and take them out if they fail) instead of waiting for {@code
   * healthyThreshold} passes while the app has no replica in its table.
   */
  private final Set<Endpoint> adopted = ConcurrentHashMap.newKeySet();

  /** The last health reason seen per endpoint id, for messages. */
  private final Map<String, String> healthReasons = new ConcurrentHashMap<>();

  /** What the platform holds for one app; touched on the controller thread only. */
  private static final class LocalApp {
    final Listener listener;
    final @Nullable Listener preview;
    final Map<String, Integer> scaled = new HashMap<>();
    final Map<String, Duration> stopGrace = new HashMap<>();
    final Set<String> stopping = new HashSet<>();
    final Set<String> shrinking = new HashSet<>();
    final Set<Endpoint> watched = new HashSet<>();

    final AppSpec spec;

    LocalApp(Listener listener, @Nullable Listener preview, AppSpec spec) {
      this.listener = listener;
      this.preview = preview;
      this.spec = spec;
    }
  }

  /**
   * @param baseDir the spec file's directory: replicas start there unless their spec says otherwise
   */
  public LocalPlatform(
      Router router,
      ProcessSupervisor supervisor,
      Store store,
      SpecResolver specs,
      Path baseDir,
      Clock clock) {
    this.router = router;
    this.supervisor = supervisor;
    this.store = store;
    this.specs = specs;
    this.baseDir = baseDir;
    this.clock = clock;
    router.health().addListener(c -> healthReasons.put(c.endpoint().id(), c.reason()));
  }

  /** The controller's thread, where completions of draining and stopping are handed back. */
  public void runCompletionsOn(Executor controllerThread) {
    this.controller = controllerThread;
  }

  /**
   * The listeners by address. Apps with the same {@code listen} address share one listener and are
   * told apart by their {@code hosts} and {@code pathPrefix} (the router's mounts).
   */
  private final Map<String, Shared> listeners = new ConcurrentHashMap<>();

  /** One listener and the apps mounted on it, in spec order. */
  private static final class Shared {
    final Listener listener;
    final Map<String, Mount> mounts = new LinkedHashMap<>();

    Shared(Listener listener) {
      this.listener = listener;
    }
  }

  private static String addressKey(AppSpec app) {
    // port 0 asks for a free port each time: such listeners are never shared
    return app.listen().port() == 0 ? "app:" + app.name() : app.listen().toString();
  }

  @Override
  public void register(AppSpec app) {
    Shared shared = listeners.get(addressKey(app));
    Listener main;
    if (shared != null) {
      main = shared.listener;
    } else {
      main = router.listen(listenerOptions(app, app.listen()));
      shared = new Shared(main);
      listeners.put(addressKey(app), shared);
    }
    shared.mounts.put(app.name(), mount(app, RoutingTable.EMPTY));
    Listener preview = null;
    if (app.strategy() instanceof StrategySpec.BlueGreen bg && bg.previewListen() != null) {
      try {
        preview = router.listen(listenerOptions(app, bg.previewListen()));
      } catch (RuntimeException e) {
        main.close();
        throw e;
      }
    }
    apps.put(app.name(), new LocalApp(main, preview, app));
  }

  private static Mount mount(AppSpec app, RoutingTable table) {
    return new Mount(
        app.name(), app.hosts(), app.pathPrefix() == null ? "/" : app.pathPrefix(), table);
  }

  /** Routes an app's traffic by {@code table}: its own listener, or its mount on a shared one. */
  private void route(LocalApp app, RoutingTable table) {
    Shared shared = listeners.get(addressKey(app.spec));
    if (shared == null || shared.mounts.size() <= 1) {
      app.listener.update(table);
      return;
    }
    shared.mounts.put(app.spec.name(), mount(app.spec, table));
    shared.listener.update(List.copyOf(shared.mounts.values()));
  }

  /**
   * Registers an app on listeners that are bound already (by a process that followed another leader
   * and now leads: its listeners never stop accepting), instead of binding them.
   */
  public void register(AppSpec app, Listener main, @Nullable Listener preview) {
    apps.put(app.name(), new LocalApp(main, preview, app));
  }

  /**
   * How an app's listener at {@code at} is set up: timeouts, outlier detection, retries and limits
   * from the spec (apps that share an address share the first one's listener and its settings).
   */
  public static ListenerOptions listenerOptions(AppSpec app, HostPort at) {
    UpstreamSpec u = app.upstream();
    UpstreamSpec.OutlierDetection od = u.outlierDetection();
    ProtocolSpec p = app.protocols();
    ProtocolSpec.Tls tls = p.tls();
    return ListenerOptions.of(app.name(), new InetSocketAddress(at.host(), at.port()))
        .withConnectTimeout(app.timeouts().connect())
        .withRequestTimeout(app.timeouts().request())
        .withIdleTimeout(app.timeouts().idle())
        .withTunnelIdleTimeout(app.timeouts().tunnelIdle())
        .withOutlierDetection(od.consecutiveFailures(), od.baseEjection(), od.maxEjectionPercent())
        .withMaxRetries(u.maxRetries())
        .withRetryBudget(new RetryBudget(u.retryBudget().percent(), u.retryBudget().minPerSecond()))
        .withMaxConnectionsPerReplica(u.maxConnectionsPerReplica())
        .withMaxPendingPerReplica(u.maxPendingPerReplica())
        .withTls(
            tls == null
                ? null
                : new TlsFiles(Path.of(tls.cert()), Path.of(tls.key()), tls.reloadInterval()))
        .withHttp2(p.http2())
        .withUpstreamProtocol(
            p.upstream() == ProtocolSpec.Upstream.H2C
                ? UpstreamProtocol.HTTP2
                : UpstreamProtocol.HTTP1);
  }

  /** The table with the app's drain timeout for upgraded connections (WebSockets). */
  public static RoutingTable withDrainTimeout(RoutingTable table, AppSpec app) {
    return table.toBuilder().drainTimeout(app.timeouts().drain()).build();
  }

  /**
   * How long a replica that left the table may take to drain before it is stopped: its stop grace,
   * or long enough for its tunnels to reach the drain timeout and close, when that is longer.
   */
  private static Duration drainGrace(Duration stopGrace, AppSpec app) {
    Duration tunnels = app.timeouts().drain().plus(TUNNEL_CLOSE_SLACK);
    return tunnels.compareTo(stopGrace) > 0 ? tunnels : stopGrace;
  }

  /** Receives every replica event of the supervisor (on the supervisor's thread). */
  public void onReplicaEvent(ReplicaEvent event) {
    Replica r = event.replica();
    if (event instanceof ReplicaEvent.Exited exited && !exited.expected()) {
      router
          .health()
          .markDown(
              endpoint(r),
              "process exited"
                  + (exited.exitCode().isPresent() ? " with " + exited.exitCode().getAsInt() : ""));
    }
    Runnable record =
        () -> {
          try {
            if (event instanceof ReplicaEvent.Started) {
              store.putInstance(
                  new InstanceRecord(
                      r.app(),
                      r.version(),
                      r.index(),
                      r.pid(),
                      r.port(),
                      r.startInstant() == null ? clock.instant() : r.startInstant()));
            } else if (event instanceof ReplicaEvent.Exited x && x.expected()) {
              store.removeInstance(r.app(), r.version(), r.index());
            }
          } catch (RuntimeException e) {
            log.warn("cannot record replica {}: {}", r.id(), e.getMessage());
          }
        };
    try {
      controller.execute(record);
    } catch (RejectedExecutionException e) {
      record.run(); // stopping: the supervisor stops the replicas after the controller thread
    }
  }

  @Override
  public void adopt(Collection<AppState> states) {
    Map<String, AppState> byApp = new HashMap<>();
    states.forEach(s -> byApp.put(s.app(), s));
    for (InstanceRecord i : store.instances()) {
      AppState state = byApp.get(i.app());
      VersionState v = state == null ? null : state.versions().get(i.version());
      ProcessTemplate t = v == null ? null : process(specs.specOf(state, v.revision()));
      if (t == null || i.index() >= v.replicas()) {
        store.removeInstance(i.app(), i.version(), i.index());
        killOrphan(i);
        continue;
      }
      try {
        Replica r =
            supervisor.adopt(i.app(), i.version(), i.index(), t, i.pid(), i.startedAt(), i.port());
        adopted.add(endpoint(r));
        LocalApp app = apps.get(i.app());
        if (app != null) {
          // the supervisor runs it now: reconcile must know, to scale or stop it like any other
          app.scaled.merge(i.version(), i.index() + 1, Math::max);
          app.stopGrace.put(i.version(), t.stopGrace());
        }
        log.info("adopted replica {}/{}/{} (pid {})", i.app(), i.version(), i.index(), i.pid());
      } catch (ReplicaAdoptionException e) {
        log.info("replica {}/{}/{} is gone: {}", i.app(), i.version(), i.index(), e.getMessage());
        store.removeInstance(i.app(), i.version(), i.index());
      }
    }
  }

  /** A replica left by a previous run that nothing wants any more: stop it if it is still ours. */
  private static void killOrphan(InstanceRecord i) {
    ProcessHandle.of(i.pid())
        .filter(
            p ->
                p.info()
                    .startInstant()
                    .map(s -> Math.abs(s.toEpochMilli() - i.startedAt().toEpochMilli()) < 1000)
                    .orElse(false))
        .ifPresent(
            p -> {
              log.info(
                  "stopping leftover replica {}/{}/{} (pid {})",
                  i.app(),
                  i.version(),
                  i.index(),
                  i.pid());
              p.descendants().forEach(ProcessHandle::destroy);
              p.destroy();
            });
  }

  /** How the supervisor starts replicas of a version, or null for a static runtime. */
  @Nullable ProcessTemplate process(AppSpec spec) {
    if (!(spec.runtime() instanceof RuntimeSpec.Process p)) {
      return null;
    }
    Path dir = p.workingDir() == null ? baseDir : baseDir.resolve(p.workingDir());
    return new ProcessTemplate(p.command(), p.env(), dir.normalize(), p.stopGrace());
  }

  /** The router health checks of a version's replicas, from its spec. */
  public static HealthCheckOptions health(AppSpec spec) {
    HealthSpec h = spec.health();
    return new HealthCheckOptions(
            h.path(), h.interval(), h.timeout(), h.healthyThreshold(), h.unhealthyThreshold())
        .withH2c(spec.protocols().upstream() == ProtocolSpec.Upstream.H2C);
  }

  private static Endpoint endpoint(Replica r) {
    return new Endpoint(r.id(), r.host(), r.port());
  }

  /** A replica as the platform sees it: where it listens and whether its process runs. */
  private record Member(String label, Endpoint endpoint, boolean running, String why) {}

  private List<Member> members(AppState state, VersionState v) {
    List<Member> out = new ArrayList<>();
    AppSpec spec = specs.specOf(state, v.revision());
    switch (spec.runtime()) {
      case RuntimeSpec.Process p -> {
        for (Replica r : supervisor.replicas(state.app(), v.version())) {
          if (r.index() >= v.replicas() || r.state() == ReplicaState.STOPPING) {
            continue;
          }
          out.add(
              new Member(
                  Integer.toString(r.index()),
                  endpoint(r),
                  r.state() == ReplicaState.RUNNING,
                  r.state().name().toLowerCase(Locale.ROOT)
                      + (r.restarts() > 0 ? " after " + r.restarts() + " restarts" : "")));
        }
      }
      case RuntimeSpec.Static s -> {
        List<URI> urls = s.versions().getOrDefault(v.version(), List.of());
        for (int i = 0; i < urls.size(); i++) {
          URI u = urls.get(i);
          String id = state.app() + "/" + v.version() + "/" + i;
          out.add(
              new Member(
                  Integer.toString(i), new Endpoint(id, u.getHost(), u.getPort()), true, ""));
        }
      }
      case RuntimeSpec.Kubernetes k -> {
        // runs on Kubernetes: the controller hands such apps to the Kubernetes platform
      }
    }
    return out;
  }

  @Override
  public Map<String, VersionHealth> health(AppState state) {
    Map<String, VersionHealth> out = new TreeMap<>();
    for (VersionState v : state.versions().values()) {
      int running = 0;
      int healthy = 0;
      List<String> problems = new ArrayList<>();
      for (Member m : members(state, v)) {
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
      out.put(v.version(), new VersionHealth(running, healthy, String.join("; ", problems)));
    }
    return out;
  }

  @Override
  public void reconcile(AppState state) {
    LocalApp app = apps.get(state.app());
    Desired desired = Desired.of(state);
    Set<Endpoint> live = new HashSet<>();
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    List<VersionState> shrink = new ArrayList<>();
    for (VersionState v : desired.versions().values()) {
      if (app.stopping.contains(v.version())) {
        continue; // wanted again while it stops: it starts afresh once stopped
      }
      AppSpec spec = specs.specOf(state, v.revision());
      ProcessTemplate template = process(spec);
      Integer scaled = app.scaled.get(v.version());
      if (template != null && (scaled == null || v.replicas() > scaled)) {
        log.info("{}: {} runs {} replicas", state.app(), v.version(), v.replicas());
        supervisor.scale(state.app(), v.version(), template, v.replicas());
        app.scaled.put(v.version(), v.replicas());
        app.stopGrace.put(v.version(), template.stopGrace());
      } else if (template != null && v.replicas() < scaled) {
        shrink.add(v); // after the table no longer routes to the replicas that go
      }
      List<Endpoint> eps = new ArrayList<>();
      for (Member m : members(state, v)) {
        eps.add(m.endpoint);
        live.add(m.endpoint);
        if (app.watched.add(m.endpoint)) {
          router
              .health()
              .watch(m.endpoint, health(spec).withStartHealthy(adopted.remove(m.endpoint)));
        }
      }
      endpoints.put(v.version(), eps);
    }
    route(app, withDrainTimeout(RoutingTables.of(desired, endpoints), app.spec));
    if (app.preview != null) {
      String p = desired.preview();
      app.preview.update(
          withDrainTimeout(
              p == null || !endpoints.containsKey(p)
                  ? RoutingTable.EMPTY
                  : table(Map.of(p, 100), endpoints),
              app.spec));
    }
    for (VersionState v : shrink) {
      if (app.shrinking.add(v.version())) {
        shrink(state.app(), app, v, process(specs.specOf(state, v.revision())));
      }
    }
    for (String version : new ArrayList<>(app.scaled.keySet())) {
      if (!desired.versions().containsKey(version) && app.stopping.add(version)) {
        stop(state.app(), app, version);
      }
    }
    for (Endpoint e : new ArrayList<>(app.watched)) {
      if (!live.contains(e) && !isStopping(state.app(), app, e)) {
        router.health().unwatch(e);
        app.watched.remove(e);
      }
    }
  }

  private static boolean isStopping(String name, LocalApp app, Endpoint e) {
    for (String v : app.stopping) {
      if (e.id().startsWith(name + "/" + v + "/")) {
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
  private void shrink(String name, LocalApp app, VersionState v, ProcessTemplate template) {
    List<Endpoint> going = new ArrayList<>();
    for (Replica r : supervisor.replicas(name, v.version())) {
      if (r.index() >= v.replicas()) {
        going.add(endpoint(r));
      }
    }
    log.info(
        "{}: {} scales down to {} once {} replicas drained",
        name,
        v.version(),
        v.replicas(),
        going.size());
    router
        .awaitDrained(going, drainGrace(template.stopGrace(), app.spec))
        .whenComplete(
            (drained, error) ->
                controller.execute(
                    () -> {
                      app.shrinking.remove(v.version());
                      if (app.stopping.contains(v.version())) {
                        return;
                      }
                      supervisor.scale(name, v.version(), template, v.replicas());
                      app.scaled.put(v.version(), v.replicas());
                    }));
  }

  /** Drains a version that left the tables, then stops its processes. */
  private void stop(String name, LocalApp app, String version) {
    List<Endpoint> eps = new ArrayList<>();
    Duration grace =
        drainGrace(app.stopGrace.getOrDefault(version, Duration.ofSeconds(10)), app.spec);
    for (Replica r : supervisor.replicas(name, version)) {
      eps.add(endpoint(r));
    }
    for (Endpoint e : app.watched) {
      if (e.id().startsWith(name + "/" + version + "/") && !eps.contains(e)) {
        eps.add(e);
      }
    }
    log.info("{}: {} left the routing table; stopping it once drained", name, version);
    router
        .awaitDrained(eps, grace)
        .thenCompose(drained -> supervisor.stop(name, version))
        .whenComplete(
            (ok, error) ->
                controller.execute(
                    () -> {
                      app.stopping.remove(version);
                      app.scaled.remove(version);
                      for (Endpoint e : eps) {
                        if (app.watched.remove(e)) {
                          router.health().unwatch(e);
                        }
                      }
                      log.info("{}: {} stopped", name, version);
                    }));
  }

  @Override
  public @Nullable String baseUrl(AppState state, String version) {
    LocalApp app = apps.get(state.app());
    if (app != null && app.preview != null) {
      InetSocketAddress a = app.preview.address();
      return "http://" + new HostPort(a.getHostString(), a.getPort());
    }
    VersionState v = state.versions().get(version);
    if (v == null) {
      return null;
    }
    return members(state, v).stream()
        .findFirst()
        .map(m -> "http://" + new HostPort(m.endpoint.host(), m.endpoint.port()))
        .orElse(null);
  }

  @Override
  public InetSocketAddress listenAddress(String app) {
    return apps.get(app).listener.address();
  }

  @Override
  public @Nullable InetSocketAddress previewAddress(String app) {
    LocalApp a = apps.get(app);
    return a == null || a.preview == null ? null : a.preview.address();
  }

  @Override
  public List<ReplicaView> replicas(AppState state, String version) {
    List<ReplicaView> list = new ArrayList<>();
    AppSpec spec;
    VersionState v = state.versions().get(version);
    if (v == null) {
      return list;
    }
    spec = specs.specOf(state, v.revision());
    if (spec.runtime() instanceof RuntimeSpec.Static) {
      for (Member m : members(state, v)) {
        list.add(
            new ReplicaView(
                Integer.parseInt(m.label),
                m.endpoint.host(),
                m.endpoint.port(),
                -1,
                "static",
                0,
                router.health().isHealthy(m.endpoint)));
      }
      return list;
    }
    for (Replica r : supervisor.replicas(state.app(), version)) {
      list.add(
          new ReplicaView(
              r.index(),
              r.host(),
              r.port(),
              r.pid(),
              r.state().name().toLowerCase(Locale.ROOT),
              r.restarts(),
              router.health().isHealthy(endpoint(r))));
    }
    return list;
  }

  @Override
  public void close() {
    Set<Listener> closed = new HashSet<>();
    for (LocalApp app : new LinkedHashMap<>(apps).values()) {
      if (closed.add(app.listener)) {
        app.listener.close();
      }
      if (app.preview != null) {
        app.preview.close();
      }
    }
  }
}
