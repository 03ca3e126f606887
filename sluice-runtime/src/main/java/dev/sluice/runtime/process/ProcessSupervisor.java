package dev.sluice.runtime.process;

import dev.sluice.runtime.VersionRuntime;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the replicas of app versions as local processes on this host and keeps them running.
 *
 * <p>Each replica is a process started from a {@link ProcessTemplate} with its own free loopback
 * port in {@code PORT}; its stdout and stderr are appended to {@code
 * <logDir>/<app>/<version>/<index>.log}. A replica that dies is restarted after a {@link
 * RestartBackoff} delay, on the same port when it is still free (a restart that dies again moves to
 * a fresh port; see {@link PortRange} for where ports come from). Stopping sends SIGTERM and, after
 * the template's stop grace, SIGKILL to the replica's whole process tree, so a wrapper script
 * leaves no orphans behind.
 *
 * <pre>{@code
 * try (ProcessSupervisor sup = ProcessSupervisor.create(logDir, controller::onReplicaEvent)) {
 *   sup.scale("shop", "v2", ProcessTemplate.of("java", "-jar", "shop-${version}.jar"), 3);
 *   List<Endpoint> endpoints = sup.endpoints("shop", "v2");   // for the router
 *   sup.stop("shop", "v1").join();                            // when v1 has drained
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe. Work happens on one event thread owned by the supervisor; the
 * methods that change something wait for it, the ones that read return the latest snapshot. App and
 * version names become directory names, so they must be 1-63 letters, digits, '.', '_' or '-'
 * starting with a letter or digit; anything else is an {@link IllegalArgumentException}.
 *
 * <p><b>Process trees.</b> On Linux each replica starts in a session and process group of its own
 * ({@code setsid}), and a stop signals every process of that group and every descendant of the
 * replica, scanning {@code /proc} again until all are gone. The group catches children that were
 * re-parented when a wrapper died first; the descendant walk catches children that left the group;
 * the new session also keeps a Ctrl-C in the daemon's terminal from reaching the replicas, so the
 * daemon stops them in order instead. Elsewhere, or when {@code setsid} is missing, only the
 * descendants that are still attached to the replica's tree are found.
 */
public interface ProcessSupervisor extends VersionRuntime, AutoCloseable {

  /** Creates a supervisor with {@link SupervisorOptions#DEFAULT}. */
  static ProcessSupervisor create(Path logDir, ReplicaListener listener) {
    return create(logDir, listener, SupervisorOptions.DEFAULT);
  }

  /** Creates a supervisor writing replica logs under {@code logDir}. */
  static ProcessSupervisor create(
      Path logDir, ReplicaListener listener, SupervisorOptions options) {
    return new LocalProcessSupervisor(logDir, listener, options);
  }

  /**
   * Starts or stops replicas of a version until it has {@code replicas} of them, indices {@code
   * 0..replicas-1}: missing indices are started, the highest indices beyond the count are stopped
   * (in the background; they show as {@link ReplicaState#STOPPING} until gone). The template
   * becomes the one used for the version's next starts and restarts; running replicas keep their
   * process.
   *
   * @return the replicas with index below {@code replicas}, in index order
   * @throws ReplicaStartException if the command's program cannot be found; nothing changed
   */
  List<Replica> scale(String app, String version, ProcessTemplate template, int replicas);

  /**
   * Returns the replicas of a version in index order, stopping ones included (may repeat an index
   * while a replacement starts).
   */
  List<Replica> replicas(String app, String version);

  /** Returns all replicas the supervisor has, of every version. */
  List<Replica> replicas();

  /**
   * Stops every replica of a version.
   *
   * @return completes when every process of every replica of the version is gone (never
   *     exceptionally); callbacks run off the supervisor's thread
   */
  CompletableFuture<Void> stop(String app, String version);

  /**
   * Takes over a replica process that runs without a supervisor, typically one the daemon started
   * before it was killed. The process must be alive and have started at {@code startInstant}
   * (compared to the millisecond), so a recycled pid is never adopted. From then on the replica is
   * watched, restarted when it dies and stopped with its tree like any other; its log file keeps
   * being appended by the process itself.
   *
   * @throws ReplicaAdoptionException if the process is not running, is another process, or the
   *     index or port is already in use
   */
  Replica adopt(
      String app,
      String version,
      int index,
      ProcessTemplate template,
      long pid,
      Instant startInstant,
      int port);

  /** Returns the log file of a replica: {@code <logDir>/<app>/<version>/<index>.log}. */
  Path logFile(String app, String version, int index);

  /**
   * Stops every replica of every version and waits until they are gone (at most the longest stop
   * grace plus a few seconds), then releases the event thread. Later calls do nothing; other
   * methods then throw {@link IllegalStateException}. Must not be called from a listener.
   */
  @Override
  void close();
}
