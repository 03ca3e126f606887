package dev.sluice.server.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests in a loop through a router's listener from two threads, until stopped or for at most two
 * minutes and 200,000 requests: what users see during a failure. Records failures (I/O errors,
 * non-2xx) and which version answered.
 */
final class Load implements AutoCloseable {
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI uri;
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> versions = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
  private final List<Thread> threads;
  private volatile boolean stopping;

  private Load(URI uri) {
    this.uri = uri;
    this.threads =
        List.of(
            Thread.ofPlatform().daemon().unstarted(this::work),
            Thread.ofPlatform().daemon().unstarted(this::work));
  }

  static Load start(URI uri) {
    Load l = new Load(uri);
    l.threads.forEach(Thread::start);
    return l;
  }

  private void work() {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    while (!stopping && System.nanoTime() < deadline && sent.incrementAndGet() <= 200_000) {
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
          failures.add(r.statusCode() + " " + r.body().strip());
        } else {
          versions
              .computeIfAbsent(
                  r.headers().firstValue("X-Version").orElse("?"), v -> new AtomicLong())
              .incrementAndGet();
        }
      } catch (IOException e) {
        failures.add(e.toString());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  long answered(String version) {
    AtomicLong n = versions.get(version);
    return n == null ? 0 : n.get();
  }

  Map<String, Long> byVersion() {
    Map<String, Long> out = new TreeMap<>();
    versions.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.join(15_000);
    }
    client.close();
  }
}
