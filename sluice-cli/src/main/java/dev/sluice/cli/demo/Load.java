package dev.sluice.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A bounded load generator: {@code workers} clients send GET requests in a loop, each pausing
 * {@code pause} between requests, until {@link #stop} or until {@code maxRequests} or {@code
 * maxDuration} is reached. Every response is recorded with the version that answered (the {@code
 * X-Version} header) and whether it failed (a non-2xx status or an I/O error).
 */
public final class Load implements AutoCloseable {

  /** One request: when it started and ended (nanoTime), who answered, and how. */
  public record Sample(
      long startNanos,
      long endNanos,
      @Nullable String version,
      int status,
      @Nullable String error) {
    public boolean failed() {
      return error != null || status < 200 || status > 299;
    }
  }

  private final URI uri;
  private final HttpClient client;
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final AtomicLong sent = new AtomicLong();
  private final long maxRequests;
  private final long deadline;
  private final Duration pause;
  private final CountDownLatch done;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;

  private Load(URI uri, int workers, Duration pause, long maxRequests, Duration maxDuration) {
    this.uri = uri;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.pause = pause;
    this.maxRequests = maxRequests;
    this.deadline = System.nanoTime() + maxDuration.toNanos();
    this.done = new CountDownLatch(workers);
  }

  /** Starts the workers. */
  public static Load start(
      URI uri, int workers, Duration pause, long maxRequests, Duration maxDuration) {
    Load load = new Load(uri, workers, pause, maxRequests, maxDuration);
    for (int i = 0; i < workers; i++) {
      Thread t = Thread.ofPlatform().daemon().name("load-" + i).start(load::work);
      load.threads.add(t);
    }
    return load;
  }

  private void work() {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
      while (!stopping && System.nanoTime() < deadline && sent.incrementAndGet() <= maxRequests) {
        long start = System.nanoTime();
        try {
          HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
          samples.add(
              new Sample(
                  start,
                  System.nanoTime(),
                  r.headers().firstValue("X-Version").orElse(null),
                  r.statusCode(),
                  null));
        } catch (IOException e) {
          samples.add(new Sample(start, System.nanoTime(), null, 0, e.toString()));
        }
        if (!pause.isZero()) {
          Thread.sleep(pause.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.countDown();
    }
  }

  /** Stops the workers and waits for their last requests. */
  public void stop() throws InterruptedException {
    stopping = true;
    done.await();
  }

  public List<Sample> samples() {
    return List.copyOf(samples);
  }

  public long total() {
    return samples.size();
  }

  public List<Sample> failures() {
    return samples.stream().filter(Sample::failed).toList();
  }

  /** Responses per version so far. */
  public Map<String, Long> byVersion() {
    Map<String, Long> out = new TreeMap<>();
    for (Sample s : samples) {
      if (!s.failed() && s.version() != null) {
        out.merge(s.version(), 1L, Long::sum);
      }
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    client.close();
  }
}
