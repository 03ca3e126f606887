package dev.sluice.runtime.process;

import dev.sluice.runtime.Endpoint;
import dev.sluice.runtime.process.ReplicaAdoptionException.Reason;
import dev.sluice.runtime.process.internal.Executables;
import dev.sluice.runtime.process.internal.Names;
import dev.sluice.runtime.process.internal.ProcStat;
import dev.sluice.runtime.process.internal.ProcessTable;
import dev.sluice.runtime.process.internal.ProcessTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProcessSupervisor} of this host.
 *
 * <p>All mutable state (versions, slots) belongs to one event thread; public methods hand work to
 * it and wait, so ordering is simple: events reach the listener in the order things happened, and a
 * listener may call back into the supervisor (such calls run inline). Readers get immutable
 * per-version snapshots republished after every change, without waiting.
 *
 * <p>Larger than most files on purpose: it is the bookkeeping of versions and their replicas in one
 * place (which slots are active, which are retiring, which ports are taken), while the life of one
 * replica lives in {@link ReplicaSlot} and the thread in {@link EventLoop}.
 */
final class LocalProcessSupervisor implements ProcessSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ProcessSupervisor.class);
  private static final Duration CLOSE_MARGIN = Duration.ofSeconds(10);
  private static final Duration STOP_TICK = Duration.ofMillis(50);

  record VersionKey(String app, String version) {}

  private static final class VersionGroup {
    final TreeMap<Integer, ReplicaSlot> active = new TreeMap<>();
    final Set<ReplicaSlot> retiring = new LinkedHashSet<>();
  }

  private final Path logDir;
  private final ReplicaListener listener;
  private final SupervisorOptions options;
  private final InetAddress hostAddress;
  private final ProcessTable table = ProcessTable.system();
  private final @Nullable Path setsid = Executables.setsid();
  private final Set<Long> protectedPids = ProcessTrees.selfAndAncestors();
  private final EventLoop loop = new EventLoop("sluice-supervisor");
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<VersionKey, VersionGroup> groups = new LinkedHashMap<>();
  private final ConcurrentMap<VersionKey, List<Replica>> published = new ConcurrentHashMap<>();
  private final Set<ReplicaSlot> stopping = new LinkedHashSet<>();
  private @Nullable Future<?> stopTicker;

  LocalProcessSupervisor(Path logDir, ReplicaListener listener, SupervisorOptions options) {
    this.logDir = Objects.requireNonNull(logDir, "logDir").toAbsolutePath();
    this.listener = Objects.requireNonNull(listener, "listener");
    this.options = Objects.requireNonNull(options, "options");
    try {
      this.hostAddress = InetAddress.getByName(options.host());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "host: '" + options.host() + "' (expected: an IP address such as 127.0.0.1)", e);
    }
    try {
      Files.createDirectories(this.logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create log directory " + this.logDir, e);
    }
    if (setsid == null || !table.knowsGroups()) {
      log.warn(
          "no setsid or /proc on this host: replicas share the daemon's process group and only"
              + " children still attached to a replica are stopped with it");
    }
  }

  @Override
  public List<Replica> scale(String app, String version, ProcessTemplate template, int replicas) {
    Names.check("app", app);
    Names.check("version", version);
    Objects.requireNonNull(template, "template");
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas: " + replicas + " (expected: zero or more)");
    }
    if (replicas > 0) {
      String problem =
          Executables.problem(template.commandFor(version), template.env(), template.workingDir());
      if (problem != null) {
        throw new ReplicaStartException(app, version, problem);
      }
      Path dir = logFile(app, version, 0).getParent();
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new ReplicaStartException(
            app, version, "cannot create log directory " + dir + ": " + e.getMessage());
      }
    }
    VersionKey key = new VersionKey(app, version);
    return call(
        () -> {
          VersionGroup group = groups.computeIfAbsent(key, k -> new VersionGroup());
          group.active.values().forEach(slot -> slot.template(template));
          while (!group.active.isEmpty() && group.active.lastKey() >= replicas) {
            retire(group, group.active.pollLastEntry().getValue());
          }
          for (int i = 0; i < replicas; i++) {
            if (!group.active.containsKey(i)) {
              ReplicaSlot slot = new ReplicaSlot(this, key, i, template, logFile(app, version, i));
              group.active.put(i, slot);
              slot.start();
            }
          }
          List<Replica> out = group.active.values().stream().map(ReplicaSlot::snapshot).toList();
          publish(key);
          return out;
        });
  }

  @Override
  public List<Replica> replicas(String app, String version) {
    return published.getOrDefault(new VersionKey(app, version), List.of());
  }

  @Override
  public List<Replica> replicas() {
    List<Replica> out = new ArrayList<>();
    published.values().forEach(out::addAll);
    return List.copyOf(out);
  }

  @Override
  public List<Endpoint> endpoints(String app, String version) {
    return replicas(app, version).stream()
        .filter(r -> r.state() == ReplicaState.RUNNING)
        .map(Replica::endpoint)
        .toList();
  }

  @Override
  public CompletableFuture<Void> stop(String app, String version) {
    Names.check("app", app);
    Names.check("version", version);
    VersionKey key = new VersionKey(app, version);
    CompletableFuture<Void> done = call(() -> stopGroup(key));
    // Hop off the event thread so a caller's dependent stages cannot stall the supervisor.
    return done.thenRunAsync(() -> {});
  }

  @Override
  public Replica adopt(
      String app,
      String version,
      int index,
      ProcessTemplate template,
      long pid,
      Instant startInstant,
      int port) {
    Names.check("app", app);
    Names.check("version", version);
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(startInstant, "startInstant");
    if (index < 0) {
      throw new IllegalArgumentException("index: " + index + " (expected: zero or more)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    VersionKey key = new VersionKey(app, version);
    String id = Endpoint.idOf(app, version, index);
    return call(
        () -> {
          VersionGroup existing = groups.get(key);
          if (existing != null && existing.active.containsKey(index)) {
            throw new ReplicaAdoptionException(
                Reason.INDEX_TAKEN, pid, id + ": the supervisor already runs this replica");
          }
          if (portTakenByOther(null, port)) {
            throw new ReplicaAdoptionException(
                Reason.PORT_TAKEN, pid, id + ": port " + port + " belongs to another replica");
          }
          AdoptionCheck process = AdoptionCheck.verify(table, protectedPids, id, pid, startInstant);
          VersionGroup group = groups.computeIfAbsent(key, k -> new VersionGroup());
          ReplicaSlot slot =
              new ReplicaSlot(this, key, index, template, logFile(app, version, index));
          group.active.put(index, slot);
          // A replica the daemon started leads its own process group (setsid); a process that
          // does not is stopped as a tree only.
          long pgid = table.knowsGroups() && process.stat().pgrp() == pid ? pid : -1;
          slot.adopt(process.stat().ref(), process.startInstant(), port, pgid);
          publish(key);
          return slot.snapshot();
        });
  }

  @Override
  public Path logFile(String app, String version, int index) {
    Names.check("app", app);
    Names.check("version", version);
    return logDir.resolve(app).resolve(version).resolve(index + ".log");
  }

  @Override
  public void close() {
    if (loop.inLoop()) {
      throw new IllegalStateException("close() must not be called from a replica listener");
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Duration[] longest = {Duration.ZERO};
      CompletableFuture<Void> all =
          loop.call(
              () -> {
                List<CompletableFuture<Void>> stops = new ArrayList<>();
                for (VersionKey key : List.copyOf(groups.keySet())) {
                  VersionGroup group = groups.get(key);
                  if (group != null) {
                    group.active.values().forEach(s -> max(longest, s.stopGrace()));
                    group.retiring.forEach(s -> max(longest, s.stopGrace()));
                  }
                  stops.add(stopGroup(key));
                }
                return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
              });
      Duration wait = longest[0].plus(CLOSE_MARGIN);
      all.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("some replicas were still stopping when the supervisor closed: {}", replicas());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.warn("stopping replicas failed", e.getCause());
    } finally {
      loop.shutdown();
    }
  }

  private static void max(Duration[] holder, Duration candidate) {
    if (candidate.compareTo(holder[0]) > 0) {
      holder[0] = candidate;
    }
  }

  // ---- on the event thread ----

  private CompletableFuture<Void> stopGroup(VersionKey key) {
    VersionGroup group = groups.get(key);
    if (group == null) {
      return CompletableFuture.completedFuture(null);
    }
    while (!group.active.isEmpty()) {
      retire(group, group.active.pollLastEntry().getValue());
    }
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ReplicaSlot slot : List.copyOf(group.retiring)) {
      stops.add(slot.stop());
    }
    publish(key);
    return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
  }

  private void retire(VersionGroup group, ReplicaSlot slot) {
    group.retiring.add(slot);
    slot.stop()
        .whenComplete(
            (v, e) -> {
              group.retiring.remove(slot);
              publish(slot.key());
            });
  }

  /** Checks {@code slot} on every stop tick until it is stopped. */
  void watchStop(ReplicaSlot slot) {
    stopping.add(slot);
    if (stopTicker == null) {
      stopTicker = every(this::tickStops, STOP_TICK);
    }
  }

  void unwatchStop(ReplicaSlot slot) {
    stopping.remove(slot);
  }

  /** One process-table scan per tick serves every stopping replica. */
  private void tickStops() {
    if (stopping.isEmpty()) {
      Future<?> ticker = stopTicker;
      stopTicker = null;
      if (ticker != null) {
        ticker.cancel(false);
      }
      return;
    }
    Map<Long, ProcStat> snapshot = table.scan();
    for (ReplicaSlot slot : List.copyOf(stopping)) {
      slot.checkStopped(snapshot);
    }
  }

  void changed(ReplicaSlot slot) {
    publish(slot.key());
  }

  private void publish(VersionKey key) {
    VersionGroup group = groups.get(key);
    if (group == null) {
      published.remove(key);
      return;
    }
    if (group.active.isEmpty() && group.retiring.isEmpty()) {
      groups.remove(key);
      published.remove(key);
      return;
    }
    List<Replica> list = new ArrayList<>();
    for (ReplicaSlot slot : group.active.values()) {
      list.add(slot.snapshot());
    }
    for (ReplicaSlot slot : group.retiring) {
      if (slot.state() != ReplicaState.STOPPED) {
        list.add(slot.snapshot());
      }
    }
    list.sort(Comparator.comparingInt(Replica::index)); // stable: the active one first
    published.put(key, List.copyOf(list));
  }

  boolean portTakenByOther(@Nullable ReplicaSlot self, int port) {
    for (VersionGroup group : groups.values()) {
      for (ReplicaSlot slot : group.active.values()) {
        if (slot != self && slot.port() == port && slot.state() != ReplicaState.STOPPED) {
          return true;
        }
      }
      for (ReplicaSlot slot : group.retiring) {
        if (slot != self && slot.port() == port && slot.state() != ReplicaState.STOPPED) {
          return true;
        }
      }
    }
    return false;
  }

  void emit(ReplicaEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException | Error e) {
      log.warn("replica listener failed on {}", event, e);
    }
  }

  void guard(Runnable task) {
    loop.guard(task);
  }

  Future<?> schedule(Runnable task, Duration delay) {
    return loop.schedule(task, delay);
  }

  Future<?> every(Runnable task, Duration period) {
    return loop.every(task, period);
  }

  Executor loop() {
    return loop.executor();
  }

  ProcessTable table() {
    return table;
  }

  InstantSource clock() {
    return options.clock();
  }

  RestartBackoff backoff() {
    return options.backoff();
  }

  String host() {
    return options.host();
  }

  @Nullable PortRange ports() {
    return options.ports();
  }

  InetAddress hostAddress() {
    return hostAddress;
  }

  @Nullable Path setsid() {
    return setsid;
  }

  Set<Long> protectedPids() {
    return protectedPids;
  }

  private <T> T call(Callable<T> task) {
    if (closed.get()) {
      throw new IllegalStateException("the process supervisor is closed");
    }
    return loop.call(task);
  }
}
