package dev.sluice.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Samples one process's resident memory ({@code VmRSS}), thread count and open file descriptors
 * from {@code /proc/PID} at a fixed period, as a leak would show in them.
 */
final class ProcessSampler implements AutoCloseable {

  /** One sample: seconds since the sampler started, RSS in KiB, threads, open descriptors. */
  record Sample(double seconds, long rssKib, int threads, int fds) {}

  private final long pid;
  private final long startNanos;
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("soak-rss").unstarted(r));

  private ProcessSampler(long pid, long startNanos) {
    this.pid = pid;
    this.startNanos = startNanos;
  }

  /** Samples {@code pid} now and then every {@code period}; times count from {@code startNanos}. */
  static ProcessSampler start(long pid, long startNanos, Duration period) {
    ProcessSampler s = new ProcessSampler(pid, startNanos);
    s.timer.scheduleAtFixedRate(s::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    return s;
  }

  private void sample() {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      long rss = -1;
      int threads = -1;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("\\D", ""));
        }
      }
      int fds;
      try (Stream<Path> list = Files.list(proc.resolve("fd"))) {
        fds = (int) list.count();
      }
      Sample s = new Sample((System.nanoTime() - startNanos) / 1e9, rss, threads, fds);
      synchronized (samples) {
        samples.add(s);
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone (the soak notices that itself) or /proc changed under us: no sample
    }
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
