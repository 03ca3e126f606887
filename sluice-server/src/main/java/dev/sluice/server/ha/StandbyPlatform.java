package dev.sluice.server.ha;

import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Desired;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.Router;
import dev.sluice.router.RoutingTable;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.platform.ReplicaView;
import dev.sluice.runtime.platform.SpecResolver;
import dev.sluice.server.local.LocalPlatform;
import dev.sluice.server.local.RoutingTables;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform of a process that shares its store with others: while another process leads, it only
 * routes, by the leader's decisions; when this process becomes leader it hands its listeners to a
 * {@link LocalPlatform}, which adopts the replicas the old leader left, and from then on everything
 * goes there.
 *
 * <p><b>Following.</b> A thread of its own reads each app's new events from the store (right after
 * the store says something changed, PostgreSQL's NOTIFY, and every {@link #POLL_MILLIS} in case a
 * notification was lost), applies them to its copy of the app's state, and routes with that state's
 * weights, as the leader's router does. The replicas are the leader's: it finds them in the store's
 * {@code instances} table (on this host's loopback; they survive the leader) or, for a static
 * runtime, in the release's spec. Its own router checks their health, like the leader's.
 *
 * <p><b>Handover.</b> The controller calls {@link #adopt} when this process starts to lead. The
 * listeners keep accepting throughout, with the table they have: the same bound listeners go to the
 * local platform, which takes the replicas over as a daemon restarted after a crash does (adopted
 * replicas get traffic at once; their checks take them out if they fail). A process never goes back
 * from leading to following: one that loses the lead is stopped and started again (see
 * docs/high-availability.md).
 */
public final class StandbyPlatform implements Platform {
  private static final Logger log = LoggerFactory.getLogger(StandbyPlatform.class);

  /** How often the log is read when no notification came. */
  static final long POLL_MILLIS = 250;

  /** Replicas are re-read this often when no notification said they changed. */
  private static final int INSTANCE_POLLS = 4;

  private final Router router;
  private final Store store;
  private final SpecResolver specs;
  private final @Nullable LocalPlatform local;
  private final Map<String, Followed> apps = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;
  private final AtomicBoolean changed = new AtomicBoolean(true);
  private final @Nullable AutoCloseable subscription;
  private volatile boolean promoted;
  private volatile @Nullable String problem;
  private volatile List<InstanceRecord> instances = List.of();
  private int polls;

  /** What this platform holds for one app while it follows. */
  private static final class Followed {
    final AppSpec spec;
    final Listener main;
    final @Nullable Listener preview;
    volatile AppState state;
    final Set<Endpoint> watched = new HashSet<>();
    volatile Map<String, List<Endpoint>> endpoints = Map.of();

    Followed(AppSpec spec, Listener main, @Nullable Listener preview) {
      this.spec = spec;
      this.main = main;
      this.preview = preview;
      this.state = AppState.empty(spec.name());
    }
  }

  /**
   * @param local takes over when this process leads; null for a process that never leads (a
   *     router-only process)
   */
  public StandbyPlatform(
      Router router, Store store, SpecResolver specs, @Nullable LocalPlatform local) {
    this.router = router;
    this.store = store;
    this.specs = specs;
    this.local = local;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-follower");
              t.setDaemon(true);
              return t;
            });
    this.subscription =
        store.onChange(
            app -> {
              changed.set(true);
              if (!thread.isShutdown()) {
                try {
                  thread.execute(this::followSafely);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                  // stopping, or this process leads now
                }
              }
            });
    thread.scheduleWithFixedDelay(
        this::followSafely, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void register(AppSpec app) {
    Listener main = router.listen(LocalPlatform.listenerOptions(app, app.listen()));
    Listener preview = null;
    if (app.strategy() instanceof StrategySpec.BlueGreen bg && bg.previewListen() != null) {
      try {
        preview = router.listen(LocalPlatform.listenerOptions(app, bg.previewListen()));
      } catch (RuntimeException e) {
        main.close();
        throw e;
      }
    }
    apps.put(app.name(), new Followed(app, main, preview));
    changed.set(true);
    thread.execute(this::followSafely);
  }

  /** Whether this process leads (it handed its listeners over). */
  public boolean promoted() {
    return promoted;
  }

  /** Why following fails (the store cannot be read), or null. */
  public @Nullable String problem() {
    return problem;
  }

  /**
   * This process starts to lead: following stops, the listeners go to the local platform, which
   * adopts the replicas. Later calls go to the local platform as they are.
   */
  @Override
  public void adopt(Collection<AppState> states) {
    if (promoted) {
      return; // leads already; the replicas are adopted (a lapse of the lease, then its return)
    }
    if (local == null) {
      throw new IllegalStateException("a router-only process never leads");
    }
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeSubscription();
    for (Followed f : apps.values()) {
      // the local platform watches the replicas it adopts (they start healthy, as after a crash
      // of this process); endpoints it does not know any more must not stay watched
      f.watched.forEach(router.health()::unwatch);
      f.watched.clear();
      local.register(f.spec, f.main, f.preview);
    }
    local.adopt(states);
    promoted = true;
    log.info("this process leads: its routers now follow its own decisions");
  }

  private void followSafely() {
    if (promoted) {
      return;
    }
    try {
      follow();
      if (problem != null) {
        log.info("following the event log again");
      }
      problem = null;
    } catch (StoreException e) {
      if (problem == null) {
        log.warn("cannot follow the event log (routing stays as it is): {}", e.getMessage());
      }
      problem = e.getMessage();
    } catch (RuntimeException e) {
      log.error("following the event log failed", e);
    }
  }

  /** Reads what the leader decided since last time and routes by it. */
  private void follow() {
    boolean notified = changed.getAndSet(false);
    if (notified || polls++ % INSTANCE_POLLS == 0) {
      instances = store.instances();
    }
    for (Followed f : apps.values()) {
      AppState state = f.state;
      while (true) {
        List<EventRecord> next = store.events(state.app(), state.seq(), 1000);
        for (EventRecord r : next) {
          state = state.apply(r);
        }
        if (next.size() < 1000) {
          break;
        }
      }
      f.state = state;
      route(f, state);
    }
  }

  private void route(Followed f, AppState state) {
    Desired desired = Desired.of(state);
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    Set<Endpoint> live = new HashSet<>();
    for (VersionState v : desired.versions().values()) {
      AppSpec spec = specs.specOf(state, v.revision());
      List<Endpoint> eps = endpoints(state.app(), spec, v);
      for (Endpoint e : eps) {
        live.add(e);
        if (f.watched.add(e)) {
          router.health().watch(e, LocalPlatform.health(spec));
        }
      }
      endpoints.put(v.version(), eps);
    }
    f.endpoints = endpoints;
    f.main.update(LocalPlatform.withDrainTimeout(RoutingTables.of(desired, endpoints), f.spec));
    if (f.preview != null) {
      String p = desired.preview();
      f.preview.update(
          LocalPlatform.withDrainTimeout(
              p == null || !endpoints.containsKey(p)
                  ? RoutingTable.EMPTY
                  : table(Map.of(p, 100), endpoints),
              f.spec));
    }
    for (Endpoint e : new ArrayList<>(f.watched)) {
      if (!live.contains(e)) {
        router.health().unwatch(e);
        f.watched.remove(e);
      }
    }
  }

  /** The leader's replicas of a version, as recorded in the store or named by a static runtime. */
  private List<Endpoint> endpoints(String app, AppSpec spec, VersionState v) {
    List<Endpoint> out = new ArrayList<>();
    if (spec.runtime() instanceof RuntimeSpec.Static s) {
      List<URI> urls = s.versions().getOrDefault(v.version(), List.of());
      for (int i = 0; i < urls.size(); i++) {
        URI u = urls.get(i);
        out.add(new Endpoint(replicaId(app, v.version(), i), u.getHost(), u.getPort()));
      }
      return out;
    }
    for (InstanceRecord i : instances) {
      if (i.app().equals(app) && i.version().equals(v.version()) && i.index() < v.replicas()) {
        // replicas listen on the leader's loopback, which is this host's: see the class comment
        out.add(new Endpoint(replicaId(app, i.version(), i.index()), "127.0.0.1", i.port()));
      }
    }
    return out;
  }

  /** The id the leader's router gives a replica, so health carries over at the handover. */
  private static String replicaId(String app, String version, int index) {
    return app + "/" + version + "/" + index;
  }

  private static RoutingTable table(
      Map<String, Integer> weights, Map<String, List<Endpoint>> endpoints) {
    RoutingTable.Builder b = RoutingTable.builder();
    for (Map.Entry<String, Integer> w : new TreeMap<>(weights).entrySet()) {
      List<Endpoint> eps = endpoints.get(w.getKey());
      if (w.getValue() > 0 && eps != null && !eps.isEmpty()) {
        b.version(w.getKey(), w.getValue(), eps);
      }
    }
    return b.build();
  }

  @Override
  public Map<String, VersionHealth> health(AppState state) {
    if (promoted) {
      return local().health(state);
    }
    Map<String, VersionHealth> out = new TreeMap<>();
    Followed f = apps.get(state.app());
    Map<String, List<Endpoint>> eps = f == null ? Map.of() : f.endpoints;
    for (VersionState v : state.versions().values()) {
      List<Endpoint> list = eps.getOrDefault(v.version(), List.of());
      int healthy = 0;
      for (Endpoint e : list) {
        if (router.health().isHealthy(e)) {
          healthy++;
        }
      }
      out.put(
          v.version(),
          new VersionHealth(
              list.size(), healthy, list.isEmpty() ? "no replica recorded by the leader yet" : ""));
    }
    return out;
  }

  @Override
  public void reconcile(AppState state) {
    if (promoted) {
      local().reconcile(state);
    }
    // a follower routes by what it reads from the log, on its own thread
  }

  @Override
  public @Nullable String baseUrl(AppState state, String version) {
    return promoted ? local().baseUrl(state, version) : null;
  }

  @Override
  public InetSocketAddress listenAddress(String app) {
    if (promoted) {
      return local().listenAddress(app);
    }
    return apps.get(app).main.address();
  }

  @Override
  public @Nullable InetSocketAddress previewAddress(String app) {
    if (promoted) {
      return local().previewAddress(app);
    }
    Followed f = apps.get(app);
    return f == null || f.preview == null ? null : f.preview.address();
  }

  @Override
  public List<ReplicaView> replicas(AppState state, String version) {
    if (promoted) {
      return local().replicas(state, version);
    }
    Followed f = apps.get(state.app());
    List<ReplicaView> out = new ArrayList<>();
    Map<String, Long> pids = new HashMap<>();
    for (InstanceRecord i : instances) {
      pids.put(replicaId(i.app(), i.version(), i.index()), i.pid());
    }
    if (f != null) {
      for (Endpoint e : f.endpoints.getOrDefault(version, List.of())) {
        out.add(
            new ReplicaView(
                Integer.parseInt(e.id().substring(e.id().lastIndexOf('/') + 1)),
                e.host(),
                e.port(),
                pids.getOrDefault(e.id(), -1L),
                "followed",
                0,
                router.health().isHealthy(e)));
      }
    }
    return out;
  }

  private LocalPlatform local() {
    if (local == null) {
      throw new IllegalStateException("a router-only process never leads");
    }
    return local;
  }

  private void closeSubscription() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("closing the change subscription: {}", e.toString());
      }
    }
  }

  /** Stops following and the listeners (or the local platform, once this process leads). */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeSubscription();
    if (promoted) {
      local().close();
      return;
    }
    for (Followed f : apps.values()) {
      f.main.close();
      if (f.preview != null) {
        f.preview.close();
      }
    }
  }
}
