package dev.sluice.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Steady, bounded load: {@code concurrency} clients share a target rate, each sending one GET at a
 * time on its own schedule (a client that falls behind sends at once but never makes up the backlog
 * in a burst), until {@link #stop} or the deadline. Every answer is counted by what it was and who
 * gave it: a 2xx from a good or from a bad version, or a failure of one {@link Kind}.
 */
final class PacedLoad implements AutoCloseable {

  /** What went wrong with a failed request, as a user of the app would see it. */
  enum Kind {
    /** A 5xx the router answered itself (no {@code X-Version}): 502, 503, 504. */
    ROUTER_5XX("5xx from the router (502/503/504)"),
    /** A 5xx from a version deployed as bad on purpose ({@code --bad errors}). */
    BAD_VERSION_5XX("5xx from a bad version, by design"),
    /** A 5xx from a version deployed as good. */
    GOOD_VERSION_5XX("5xx from a good version"),
    /** Any other answer outside 2xx. */
    OTHER_STATUS("other non-2xx status"),
    /** No answer: connection refused or reset, or the client's timeout. */
    NO_ANSWER("no answer (I/O error or timeout)");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** One failed request: when (ns since the load started), how, from whom, and what was said. */
  record Failure(long atNanos, Kind kind, int status, @Nullable String version, String detail) {}

  private static final int KEPT_FAILURES = 500;

  private final URI uri;
  private final HttpClient client;
  private final Set<String> badVersions;
  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private final long deadline;
  private final CountDownLatch done;
  private final LongAdder total = new LongAdder();
  private final LongAdder fromBad = new LongAdder();
  private final Map<Kind, LongAdder> failures = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Failure> kept = new ConcurrentLinkedQueue<>();
  private final AtomicInteger keptCount = new AtomicInteger();
  private final Histogram latencyMicros = new ConcurrentHistogram(60_000_000L, 2);
  private volatile boolean stopping;

  private PacedLoad(
      URI uri, int concurrency, double rate, Set<String> badVersions, Duration maxDuration) {
    this.uri = uri;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.badVersions = badVersions;
    this.intervalNanos = (long) (concurrency * 1e9 / rate);
    this.deadline = startNanos + maxDuration.toNanos();
    this.done = new CountDownLatch(concurrency);
    for (Kind k : Kind.values()) {
      failures.put(k, new LongAdder());
    }
  }

  /**
   * Starts the clients. {@code badVersions} is read at every answer, so versions may be added while
   * the load runs.
   */
  static PacedLoad start(
      URI uri, int concurrency, double rate, Set<String> badVersions, Duration maxDuration) {
    PacedLoad load = new PacedLoad(uri, concurrency, rate, badVersions, maxDuration);
    for (int i = 0; i < concurrency; i++) {
      long offset = load.intervalNanos * i / concurrency;
      Thread.ofPlatform().daemon().name("soak-load-" + i).start(() -> load.work(offset));
    }
    return load;
  }

  private void work(long offset) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
    long next = startNanos + offset;
    try {
      while (!stopping) {
        long now = System.nanoTime();
        if (now >= deadline) {
          break;
        }
        if (next > now) {
          TimeUnit.NANOSECONDS.sleep(next - now);
        }
        long start = System.nanoTime();
        send(request, start);
        // a late client goes on from now: a backlog is dropped, not sent in a burst
        next = Math.max(next + intervalNanos, System.nanoTime());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.countDown();
    }
  }

  private void send(HttpRequest request, long start) throws InterruptedException {
    HttpResponse<String> r;
    try {
      r = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      fail(start, Kind.NO_ANSWER, 0, null, e.toString());
      return;
    } catch (IOException e) {
      fail(start, Kind.NO_ANSWER, 0, null, e.toString());
      return;
    }
    latencyMicros.recordValue(
        Math.min((System.nanoTime() - start) / 1000, latencyMicros.getHighestTrackableValue()));
    String version = r.headers().firstValue("X-Version").orElse(null);
    int status = r.statusCode();
    if (status >= 200 && status <= 299) {
      total.increment();
      if (version != null && badVersions.contains(version)) {
        fromBad.increment();
      }
      return;
    }
    Kind kind;
    if (status >= 500 && version == null) {
      kind = Kind.ROUTER_5XX;
    } else if (status >= 500 && badVersions.contains(version)) {
      kind = Kind.BAD_VERSION_5XX;
    } else if (status >= 500) {
      kind = Kind.GOOD_VERSION_5XX;
    } else {
      kind = Kind.OTHER_STATUS;
    }
    String body = r.body().strip();
    fail(start, kind, status, version, body.length() > 120 ? body.substring(0, 120) : body);
  }

  private void fail(long start, Kind kind, int status, @Nullable String version, String detail) {
    total.increment();
    failures.get(kind).increment();
    if (keptCount.incrementAndGet() <= KEPT_FAILURES) {
      kept.add(new Failure(start - startNanos, kind, status, version, detail));
    }
  }

  /** Stops the clients and waits for their last requests. */
  void stop() throws InterruptedException {
    stopping = true;
    done.await();
  }

  long startNanos() {
    return startNanos;
  }

  /** Requests answered or failed so far. */
  long total() {
    return total.sum();
  }

  /** 2xx answers given by a bad version (slow on purpose with {@code --bad slow}). */
  long servedByBad() {
    return fromBad.sum();
  }

  /** Failed requests by kind, every kind listed. */
  Map<Kind, Long> failures() {
    Map<Kind, Long> out = new TreeMap<>();
    failures.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long failed() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** The first failures, in the order they were recorded (at most 500). */
  List<Failure> keptFailures() {
    return new ArrayList<>(kept);
  }

  /** Client-side latency of every answered request, in microseconds. */
  Histogram latencyMicros() {
    return latencyMicros.copy();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    client.close();
  }
}
