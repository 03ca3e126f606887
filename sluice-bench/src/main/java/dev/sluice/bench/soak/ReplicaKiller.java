package dev.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Kills a random running replica of the app with SIGKILL at random moments (uniformly between half
 * and one and a half times the mean interval apart), as a crash or the OOM killer would. The pid
 * comes from the daemon's status; a process is killed only if it is still a sample-app, and only if
 * users keep another healthy replica to go to (one failure at a time).
 */
final class ReplicaKiller implements Runnable {

  /** One kill: when (ns since the load started), which replica, and the release phase then. */
  record Kill(long atNanos, String version, int index, long pid, String phase) {}

  private final SoakDaemon daemon;
  private final long meanMillis;
  private final long startNanos;
  private final long endNanos;
  private final Random random;
  private final PrintStream log;
  private final List<Kill> kills = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final AtomicInteger skipped = new AtomicInteger();
  private volatile boolean stopping;
  private @Nullable Thread thread;

  ReplicaKiller(
      SoakDaemon daemon,
      long meanMillis,
      long startNanos,
      long endNanos,
      Random random,
      PrintStream log) {
    this.daemon = daemon;
    this.meanMillis = meanMillis;
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.random = random;
    this.log = log;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("soak-killer").start(this);
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        long pause = meanMillis / 2 + (long) (random.nextDouble() * meanMillis);
        TimeUnit.MILLISECONDS.sleep(pause);
        if (stopping || System.nanoTime() > endNanos) {
          return;
        }
        try {
          killOne();
        } catch (Exception e) {
          if (stopping) {
            return;
          }
          synchronized (kills) {
            errors.add(e.toString());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void killOne() throws Exception {
    JsonNode app = daemon.app();
    String stable = app.path("stable").path("version").asText();
    int stableHealthy = 0;
    for (JsonNode v : app.path("versions")) {
      if (v.path("version").asText().equals(stable)) {
        stableHealthy = v.path("healthy").asInt();
      }
    }
    List<JsonNode> running = new ArrayList<>();
    List<String> versions = new ArrayList<>();
    for (JsonNode v : app.path("versions")) {
      String version = v.path("version").asText();
      // One failure at a time: a replica is a candidate when users keep a healthy replica to go
      // to without it (another of its version, or the stable version's for a canary). Killing
      // the last healthy replica of the only version is an outage by definition, not a test.
      int healthy = v.path("healthy").asInt();
      for (JsonNode i : v.path("instances")) {
        int othersHealthy = healthy - (i.path("healthy").asBoolean() ? 1 : 0);
        boolean spare = othersHealthy > 0 || !version.equals(stable) && stableHealthy > 0;
        if (i.path("state").asText().equals("running") && i.path("pid").asLong() > 0 && spare) {
          running.add(i);
          versions.add(version);
        }
      }
    }
    if (running.isEmpty()) {
      skipped.incrementAndGet();
      return;
    }
    int pick = random.nextInt(running.size());
    JsonNode instance = running.get(pick);
    long pid = instance.path("pid").asLong();
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    boolean isReplica =
        handle
            .flatMap(h -> h.info().commandLine())
            .map(c -> c.contains(" sample-app "))
            .orElse(false);
    if (!isReplica || !handle.get().destroyForcibly()) {
      return; // gone since the status was read (a version stopping, or restarted)
    }
    String phase = app.path("release").path("phase").asText("-");
    Kill k =
        new Kill(
            System.nanoTime() - startNanos,
            versions.get(pick),
            instance.path("index").asInt(),
            pid,
            phase);
    synchronized (kills) {
      kills.add(k);
    }
    log.printf(
        "[%s] killed replica %s/%d (pid %d, one of %d candidates) with SIGKILL; release phase %s%n",
        Soak.clock(k.atNanos()), k.version(), k.index(), pid, running.size(), phase);
  }

  void stop() throws InterruptedException {
    stopping = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      t.join();
    }
  }

  List<Kill> kills() {
    synchronized (kills) {
      return List.copyOf(kills);
    }
  }

  /** Moments when no replica could be killed without leaving users without a healthy one. */
  int skipped() {
    return skipped.get();
  }

  /** Kill attempts that could not be made (the status could not be read, say). */
  List<String> errors() {
    synchronized (kills) {
      return List.copyOf(errors);
    }
  }
}
