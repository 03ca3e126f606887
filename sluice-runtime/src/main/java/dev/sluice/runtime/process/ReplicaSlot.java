package dev.sluice.runtime.process;

import dev.sluice.runtime.process.ReplicaEvent.Exited;
import dev.sluice.runtime.process.ReplicaEvent.RestartScheduled;
import dev.sluice.runtime.process.ReplicaEvent.StartFailed;
import dev.sluice.runtime.process.ReplicaEvent.Started;
import dev.sluice.runtime.process.internal.Executables;
import dev.sluice.runtime.process.internal.FreePorts;
import dev.sluice.runtime.process.internal.ProcStat;
import dev.sluice.runtime.process.internal.ProcessRef;
import dev.sluice.runtime.process.internal.ProcessTrees;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's life: start, watch, restart with backoff, stop with its process tree.
 *
 * <p>Confined to the supervisor's event thread: every method runs there, so no field needs a lock.
 * Each process gets a generation number, and an exit report for an older generation (a late
 * callback of a process already replaced) is ignored.
 *
 * <p>States: {@code BACKOFF -> RUNNING} on start, {@code RUNNING -> BACKOFF} when the process dies
 * on its own, {@code * -> STOPPING -> STOPPED} on stop. A stop is done only when the root process
 * has exited and no member of its tree or group is left, so the port is free again.
 *
 * <p>Larger than most files on purpose: the whole life of a replica, with every transition and the
 * reason for it, reads in one place.
 */
final class ReplicaSlot {
  private static final Logger log = LoggerFactory.getLogger(ProcessSupervisor.class);
  private static final Duration TICK = Duration.ofMillis(50);
  private static final Duration WATCH = Duration.ofMillis(250);
  private static final int CLEANUP_TICKS = 40;
  private static final File DEV_NULL = new File("/dev/null");

  private final LocalProcessSupervisor sup;
  private final LocalProcessSupervisor.VersionKey key;
  private final int index;
  private final Path logFile;
  private ProcessTemplate template;

  private ReplicaState state = ReplicaState.BACKOFF;
  private int port;
  private int restarts;
  private int failures;
  private long pid = Replica.NO_PID;
  private @Nullable Instant startInstant;

  private @Nullable Root root;
  private long generation;
  private long pgid = -1;
  private final Set<ProcessRef> seen = new HashSet<>();
  private final Set<ProcessRef> termed = new HashSet<>();
  private @Nullable Future<?> timer;
  private @Nullable Future<?> watcher;
  private @Nullable Future<?> killTimer;
  private boolean killing;
  private int cleanupTicks;
  private @Nullable CompletableFuture<Void> gone;
  private boolean stopFoundRoot;
  private OptionalInt lastExit = OptionalInt.empty();

  /** The live process of the replica; {@code child} is null for an adopted one. */
  private record Root(
      ProcessRef ref, @Nullable Process child, Instant startedAt, long generation) {}

  ReplicaSlot(
      LocalProcessSupervisor sup,
      LocalProcessSupervisor.VersionKey key,
      int index,
      ProcessTemplate template,
      Path logFile) {
    this.sup = sup;
    this.key = key;
    this.index = index;
    this.template = template;
    this.logFile = logFile;
  }

  LocalProcessSupervisor.VersionKey key() {
    return key;
  }

  ReplicaState state() {
    return state;
  }

  int port() {
    return port;
  }

  Duration stopGrace() {
    return template.stopGrace();
  }

  void template(ProcessTemplate template) {
    this.template = template;
  }

  Replica snapshot() {
    return new Replica(
        key.app(),
        key.version(),
        index,
        sup.host(),
        port,
        pid,
        startInstant,
        state,
        restarts,
        logFile);
  }

  /** Starts a process; on failure the slot goes to backoff and tries again later. */
  void start() {
    List<String> command = template.commandFor(key.version());
    String problem = Executables.problem(command, template.env(), template.workingDir());
    if (problem != null) {
      failStart(problem);
      return;
    }
    try {
      port = choosePort();
    } catch (IOException e) {
      failStart(e.getMessage());
      return;
    }
    Path setsid = sup.setsid();
    List<String> argv = new ArrayList<>();
    if (setsid != null) {
      argv.add(setsid.toString());
    }
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv);
    Path dir = template.workingDir();
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    Map<String, String> env = builder.environment();
    env.putAll(template.env());
    env.put("PORT", Integer.toString(port));
    env.put("SLUICE_APP", key.app());
    env.put("SLUICE_VERSION", key.version());
    env.put("SLUICE_REPLICA", Integer.toString(index));
    builder.redirectErrorStream(true);
    // Append mode: the file outlives this process and this daemon; an adopted process keeps
    // writing to the descriptor it inherited.
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    if (DEV_NULL.exists()) {
      // Nothing of the replica may depend on a pipe to this JVM, or a daemon crash would kill it.
      builder.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
    }
    Process process;
    try {
      Files.createDirectories(logFile.getParent());
      note(
          "starting on port "
              + port
              + (restarts > 0 ? " (restart " + restarts + ")" : "")
              + ": "
              + String.join(" ", command));
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      failStart("cannot start " + command.get(0) + ": " + e.getMessage());
      return;
    }
    ProcStat stat = sup.table().stat(process.pid());
    long ticks = stat == null ? -1 : stat.startTicks();
    long gen = ++generation;
    begin(
        new Root(new ProcessRef(process.pid(), ticks), process, sup.clock().instant(), gen),
        process.toHandle().info().startInstant().orElse(null),
        // setsid makes the process the leader of a new group whose id is its pid (it does not
        // fork: a child spawned by the JVM is never a group leader already).
        setsid != null && sup.table().knowsGroups() ? process.pid() : -1);
    process
        .onExit()
        .whenCompleteAsync(
            (p, error) ->
                sup.guard(
                    () ->
                        rootExited(
                            gen,
                            error == null ? OptionalInt.of(p.exitValue()) : OptionalInt.empty())),
            sup.loop());
    log.info("{} started: pid {}, port {}", id(), pid, port);
    sup.emit(new Started(snapshot(), false));
  }

  /** Takes over a running process found alive with the right start instant. */
  void adopt(ProcessRef ref, Instant startInstant, int port, long pgid) {
    this.port = port;
    long gen = ++generation;
    begin(new Root(ref, null, sup.clock().instant(), gen), startInstant, pgid);
    note("adopted process " + ref.pid() + " on port " + port);
    // The JDK watches a process that is not our child by polling with sleeps growing to 5 s, and
    // may take a zombie for alive; a short poll of the process table sees the exit sooner.
    watcher =
        sup.every(
            () -> {
              if (!sup.table().isAlive(ref)) {
                rootExited(gen, OptionalInt.empty());
              }
            },
            WATCH);
    ProcessHandle.of(ref.pid())
        .ifPresent(
            h ->
                h.onExit()
                    .whenCompleteAsync(
                        (x, e) -> sup.guard(() -> rootExited(gen, OptionalInt.empty())),
                        sup.loop()));
    log.info("{} adopted: pid {}, port {}", id(), pid, port);
    sup.emit(new Started(snapshot(), true));
  }

  private void begin(Root root, @Nullable Instant startInstant, long pgid) {
    this.root = root;
    this.pid = root.ref().pid();
    this.startInstant = startInstant;
    this.pgid = pgid;
    seen.clear();
    termed.clear();
    state = ReplicaState.RUNNING;
    sup.changed(this);
  }

  private void rootExited(long gen, OptionalInt exit) {
    Root r = root;
    if (r == null || r.generation() != gen) {
      return;
    }
    root = null;
    cancel(watcher);
    lastExit = exit;
    if (state == ReplicaState.STOPPING) {
      checkStopped(sup.table().scan());
      return;
    }
    note("exited with " + describe(exit) + ", not asked to");
    log.warn("{} exited unexpectedly with {}", id(), describe(exit));
    Duration ran = Duration.between(r.startedAt(), sup.clock().instant());
    if (ran.compareTo(sup.backoff().resetAfter()) >= 0) {
      failures = 0;
    }
    state = ReplicaState.BACKOFF;
    sup.changed(this);
    sup.emit(new Exited(snapshot(), exit, false));
    // What is left of the tree (a wrapper's children) gets SIGTERM now and SIGKILL before the
    // restart, so it cannot hold the port or live on as an orphan.
    signalMembers(sup.table().scan(), false);
    scheduleRestart();
  }

  private void failStart(String reason) {
    log.warn("{} could not start: {}", id(), reason);
    note("could not start: " + reason);
    state = ReplicaState.BACKOFF;
    sup.changed(this);
    sup.emit(new StartFailed(snapshot(), reason));
    scheduleRestart();
  }

  private void scheduleRestart() {
    Duration delay = sup.backoff().delayAfter(failures);
    failures++;
    cleanupTicks = 0;
    timer = sup.schedule(this::restartNow, delay);
    sup.emit(new RestartScheduled(snapshot(), failures, delay));
  }

  private void restartNow() {
    if (state != ReplicaState.BACKOFF) {
      return;
    }
    Set<ProcessRef> left = members(sup.table().scan());
    if (!left.isEmpty() && cleanupTicks++ < CLEANUP_TICKS) {
      left.forEach(ref -> sup.table().signal(ref, true));
      timer = sup.schedule(this::restartNow, TICK);
      return;
    }
    if (!left.isEmpty()) {
      log.warn(
          "{}: processes {} of the previous run survive SIGKILL; restarting anyway", id(), left);
    }
    restarts++;
    start();
  }

  /** Stops the replica and its whole tree; the future completes on the event thread. */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = gone;
    if (done != null) {
      return done;
    }
    done = new CompletableFuture<>();
    gone = done;
    cancel(timer);
    stopFoundRoot = root != null;
    state = ReplicaState.STOPPING;
    sup.changed(this);
    if (stopFoundRoot) {
      note("stopping: SIGTERM now, SIGKILL after " + template.stopGrace());
    }
    signalMembers(sup.table().scan(), false);
    killTimer =
        sup.schedule(
            () -> {
              killing = true;
              signalMembers(sup.table().scan(), true);
            },
            template.stopGrace());
    sup.watchStop(this);
    checkStopped(sup.table().scan());
    return done;
  }

  /**
   * Finishes the stop when nothing of the replica is left in {@code snapshot}, else signals what
   * appeared since the last look. The supervisor calls it on every tick with one shared scan.
   */
  void checkStopped(Map<Long, ProcStat> snapshot) {
    if (state != ReplicaState.STOPPING) {
      return;
    }
    Root r = root;
    if (r != null && r.child() == null && !sup.table().isAlive(r.ref())) {
      root = null;
      cancel(watcher);
      lastExit = OptionalInt.empty();
    }
    Set<ProcessRef> left = signalMembers(snapshot, killing);
    if (!left.isEmpty() || root != null) {
      return; // the root's exit callback or a later tick finishes the stop
    }
    cancel(killTimer);
    sup.unwatchStop(this);
    state = ReplicaState.STOPPED;
    OptionalInt exit = stopFoundRoot ? lastExit : OptionalInt.empty();
    if (stopFoundRoot) {
      note("stopped; exit " + describe(exit));
      log.info("{} stopped with {}", id(), describe(exit));
    }
    sup.changed(this);
    sup.emit(new Exited(snapshot(), exit, true));
    CompletableFuture<Void> done = gone;
    if (done != null) {
      done.complete(null);
    }
  }

  /**
   * Sends SIGTERM to members not signalled yet, or SIGKILL to all when {@code force}; returns the
   * members found. Rescanning each time catches processes forked since the last signal.
   */
  private Set<ProcessRef> signalMembers(Map<Long, ProcStat> snapshot, boolean force) {
    Set<ProcessRef> members = members(snapshot);
    for (ProcessRef ref : members) {
      if (force || termed.add(ref)) {
        sup.table().signal(ref, force);
      }
    }
    return members;
  }

  private Set<ProcessRef> members(Map<Long, ProcStat> snapshot) {
    Root r = root;
    Set<ProcessRef> members =
        ProcessTrees.members(snapshot, r == null ? null : r.ref(), pgid, seen, sup.protectedPids());
    seen.addAll(members);
    return members;
  }

  /**
   * Returns the port for the next start: the old one after the first crash of a series when it is
   * still free, else a fresh one. A restart that died again may have lost its port between the
   * check and its own bind (to another process's outgoing connection), so it does not get that port
   * a third time.
   */
  private int choosePort() throws IOException {
    InetAddress host = sup.hostAddress();
    if (port > 0
        && failures <= 1
        && !sup.portTakenByOther(this, port)
        && FreePorts.isFree(host, port)) {
      return port;
    }
    int old = port;
    IntPredicate reserved = p -> p == old || sup.portTakenByOther(this, p);
    PortRange range = sup.ports();
    return range == null
        ? FreePorts.allocate(host, reserved)
        : FreePorts.allocate(host, range.first(), range.last(), reserved);
  }

  /** Appends a line of the supervisor's own to the replica's log, so people see restarts there. */
  private void note(String message) {
    String line = "[sluice " + sup.clock().instant() + "] " + id() + " " + message + "\n";
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(
          logFile,
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      log.debug("cannot write to {}: {}", logFile, e.toString());
    }
  }

  private String id() {
    return key.app() + "/" + key.version() + "/" + index;
  }

  private static String describe(OptionalInt exit) {
    if (exit.isEmpty()) {
      return "unknown code (not our child)";
    }
    int code = exit.getAsInt();
    return code > 128 && code < 160
        ? "code " + code + " (signal " + (code - 128) + ")"
        : "code " + code;
  }

  private static void cancel(@Nullable Future<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }
}
