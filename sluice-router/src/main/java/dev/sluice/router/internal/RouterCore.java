package dev.sluice.router.internal;

import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Mount;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.Ticker;
import dev.sluice.router.flags.EdgeFlags;
import dev.sluice.router.health.HealthChecks;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.shadow.ShadowResults;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The router: event loops, listeners, endpoint states, health checks and metrics.
 *
 * <p>Table updates are rare and may take this object's monitor; the hot path never does. When an
 * update leaves an endpoint in no listener's table, the endpoint is retired: each event loop closes
 * its idle connections to it, and connections that come back from requests in flight close on
 * return (draining). Tunnels (upgraded connections) are told of every update and drain on their
 * own: see {@link Tunnel}.
 */
public final class RouterCore implements Router {

  final RouterOptions options;
  final Ticker ticker;
  final Transport transport;
  final EventLoopGroup group;
  final EventLoop[] loops;
  final HealthChecker healthChecker;

  /** Head parsers of requests and of responses, one each per event loop (confined to it). */
  final HeadParser[] requestParsers;

  final HeadParser[] responseParsers;

  /** Scratch space of rule matching, one per event loop. */
  final MatchScratch[] matchScratch;

  private final ConcurrentHashMap<Endpoint, EndpointState> endpoints = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<ListenerImpl> listeners = new CopyOnWriteArrayList<>();
  private final MetricsRegistry metrics;

  /** Flags evaluated at the edge, by app; looked up once per request of a listener's app. */
  private final ConcurrentHashMap<String, EdgeFlagsPlan> edgeFlags = new ConcurrentHashMap<>();

  /** Shadow results, and the senders of shadow copies, one per event loop. */
  final ShadowRegistry shadowRegistry;

  final ShadowSender[] shadowSenders;

  private final ScheduledFuture<?> metricsTick;
  private final ScheduledFuture<?> forgetTick;

  /** How long a retired replica's state is kept before it may be forgotten (10 minutes). */
  private static final long FORGET_ENDPOINT_AFTER = TimeUnit.MINUTES.toNanos(10);

  private RouterCore(RouterOptions options) {
    this.options = options;
    this.ticker = options.ticker();
    this.transport = Transport.best();
    this.group =
        new MultiThreadIoEventLoopGroup(
            options.eventLoops(),
            new DefaultThreadFactory("sluice-router", true),
            transport.ioHandlers());
    List<EventLoop> all = new ArrayList<>();
    for (EventExecutor e : group) {
      all.add((EventLoop) e);
    }
    this.loops = all.toArray(new EventLoop[0]);
    this.requestParsers = new HeadParser[loops.length];
    this.responseParsers = new HeadParser[loops.length];
    this.matchScratch = new MatchScratch[loops.length];
    for (int i = 0; i < loops.length; i++) {
      requestParsers[i] = new HeadParser();
      responseParsers[i] = new HeadParser();
      matchScratch[i] = new MatchScratch(i);
    }
    this.healthChecker = new HealthChecker(this);
    this.metrics = new MetricsRegistry(loops.length, ticker, this::replicaHealth);
    this.shadowRegistry = new ShadowRegistry(metrics, options.clock());
    this.shadowSenders = new ShadowSender[loops.length];
    for (int i = 0; i < loops.length; i++) {
      shadowSenders[i] = new ShadowSender(this, i);
    }
    // Keeps the 1-second windows aligned even when nobody reads them.
    this.metricsTick = loops[0].scheduleAtFixedRate(metrics::flushAll, 1, 1, TimeUnit.SECONDS);
    this.forgetTick = loops[0].scheduleAtFixedRate(this::forgetUnused, 10, 10, TimeUnit.SECONDS);
  }

  /** Starts a router; see {@link Router#create}. */
  public static RouterCore start(RouterOptions options) {
    return new RouterCore(Objects.requireNonNull(options, "options"));
  }

  @Override
  public void edgeFlags(String app, @Nullable EdgeFlags flags) {
    Objects.requireNonNull(app, "app");
    if (flags == null) {
      edgeFlags.remove(app);
    } else {
      edgeFlags.put(app, new EdgeFlagsPlan(app, flags, metrics));
    }
  }

  @Nullable EdgeFlagsPlan edgeFlags(String app) {
    return edgeFlags.isEmpty() ? null : edgeFlags.get(app);
  }

  int loopIndex(EventLoop loop) {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i] == loop) {
        return i;
      }
    }
    throw new IllegalStateException("not a loop of this router: " + loop);
  }

  EndpointState state(Endpoint e) {
    return endpoints.computeIfAbsent(e, k -> new EndpointState(k, loops.length));
  }

  @Nullable EndpointState existingState(Endpoint e) {
    return endpoints.get(e);
  }

  CompiledTable compile(String app, RoutingTable table) {
    List<RoutingTable.Version> vs = table.versions();
    VersionEntry[] entries = new VersionEntry[vs.size()];
    for (int i = 0; i < entries.length; i++) {
      RoutingTable.Version v = vs.get(i);
      EndpointState[] replicas = new EndpointState[v.endpoints().size()];
      for (int j = 0; j < replicas.length; j++) {
        replicas[j] = state(v.endpoints().get(j));
      }
      entries[i] = new VersionEntry(v.name(), v.weight(), replicas, metrics.of(app, v.name()));
    }
    return new CompiledTable(app, table, entries, loops.length);
  }

  MountTable compile(List<Mount> mounts) {
    if (mounts.isEmpty()) {
      throw new IllegalArgumentException("mounts: [] (expected: at least one app)");
    }
    List<CompiledTable> tables = new ArrayList<>();
    for (Mount m : mounts) {
      tables.add(compile(m.app(), m.table()));
    }
    return new MountTable(mounts, tables);
  }

  @Override
  public Listener listen(ListenerOptions options) {
    ListenerImpl l = new ListenerImpl(this, options);
    listeners.add(l);
    return l;
  }

  synchronized void update(ListenerImpl listener, List<Mount> mounts) {
    listener.routes = compile(List.copyOf(mounts));
    retireUnused();
    for (int i = 0; i < loops.length; i++) {
      int loop = i;
      loops[i].execute(() -> listener.recheckTunnels(loop));
    }
  }

  synchronized void remove(ListenerImpl listener) {
    listeners.remove(listener);
    retireUnused();
  }

  private void retireUnused() {
    Set<EndpointState> used = new HashSet<>();
    for (ListenerImpl l : listeners) {
      for (CompiledTable t : l.routes.tables()) {
        for (VersionEntry v : t.versions) {
          used.addAll(List.of(v.replicas));
        }
      }
    }
    for (EndpointState s : endpoints.values()) {
      boolean retire = !used.contains(s);
      if (retire && !s.retired) {
        s.retiredAt = ticker.nanos();
        s.retired = true;
        for (int i = 0; i < loops.length; i++) {
          int loop = i;
          loops[i].execute(
              () -> {
                s.closeIdle(loop);
                for (ListenerImpl l : listeners) {
                  l.retire(s, loop);
                }
              });
        }
      } else if (!retire) {
        s.retired = false;
      }
    }
  }

  /**
   * Lets go of what versions and replicas that left every table keep: the metrics of versions quiet
   * for longer than the longest window, and the state of retired replicas that are not
   * health-checked and have nothing in flight (a replica coming back gets a new state, as a new one
   * does). With a release a minute both would otherwise grow for as long as the router runs.
   */
  synchronized void forgetUnused() {
    Set<VersionMetrics> inTables = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ListenerImpl l : listeners) {
      for (CompiledTable t : l.routes.tables()) {
        for (VersionEntry v : t.versions) {
          inTables.add(v.metrics);
        }
      }
    }
    metrics.forget(inTables);
    // Long after retirement: a request that picked the replica from an older table has ended, and
    // nobody waits for it to drain (a missing state reads as drained).
    long now = ticker.nanos();
    endpoints
        .values()
        .removeIf(
            s ->
                s.retired
                    && now - s.retiredAt > FORGET_ENDPOINT_AFTER
                    && !s.watched
                    && s.inFlight() == 0
                    && s.tunnels() == 0);
  }

  /** How many replicas the router keeps a state for (retired ones included until forgotten). */
  int endpointStates() {
    return endpoints.size();
  }

  private List<MetricsRegistry.ReplicaHealth> replicaHealth() {
    List<MetricsRegistry.ReplicaHealth> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ListenerImpl l : listeners) {
      for (CompiledTable t : l.routes.tables()) {
        String app = t.app;
        for (VersionEntry v : t.versions) {
          for (EndpointState s : v.replicas) {
            if (seen.add(app + '\0' + v.name + '\0' + s.endpoint.id())) {
              out.add(
                  new MetricsRegistry.ReplicaHealth(
                      app, v.name, s.endpoint.id(), s.healthy, s.ejected));
            }
          }
        }
      }
    }
    return out;
  }

  @Override
  public HealthChecks health() {
    return healthChecker;
  }

  @Override
  public RouterMetrics metrics() {
    return metrics;
  }

  @Override
  public ShadowResults shadow() {
    return shadowRegistry;
  }

  @Override
  public int inFlight(Endpoint endpoint) {
    EndpointState s = endpoints.get(endpoint);
    return s == null ? 0 : s.inFlight();
  }

  /**
   * Polls the in-flight counts every 20 ms. A request picks its replica and then counts itself in
   * flight, so right after a table swap one may be between the two steps: the endpoints must read
   * zero in two polls in a row.
   */
  @Override
  public CompletableFuture<Boolean> awaitDrained(Collection<Endpoint> drained, Duration timeout) {
    List<Endpoint> list = List.copyOf(drained);
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    int[] zeroPolls = {0};
    EventLoop loop = loops[0];
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    task[0] =
        loop.scheduleAtFixedRate(
            () -> {
              boolean idle = true;
              for (Endpoint e : list) {
                idle &= inFlight(e) == 0 && tunnels(e) == 0;
              }
              zeroPolls[0] = idle ? zeroPolls[0] + 1 : 0;
              if (zeroPolls[0] >= 2) {
                result.complete(true);
              } else if (System.nanoTime() - deadline > 0) {
                result.complete(false);
              }
              if (result.isDone()) {
                task[0].cancel(false);
              }
            },
            20,
            20,
            TimeUnit.MILLISECONDS);
    return result;
  }

  @Override
  public int tunnels(Endpoint endpoint) {
    EndpointState s = endpoints.get(endpoint);
    return s == null ? 0 : s.tunnels();
  }

  @Override
  public String transport() {
    return transport.name();
  }

  @Override
  public void close() {
    for (ListenerImpl l : listeners) {
      l.close();
    }
    healthChecker.stopAll();
    metricsTick.cancel(false);
    forgetTick.cancel(false);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
