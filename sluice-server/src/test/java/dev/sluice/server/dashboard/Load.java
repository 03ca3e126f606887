package dev.sluice.server.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady traffic for the charts: one request every {@code every} to the app, bounded in count and
 * time, stopped by {@link #close}.
 */
final class Load implements AutoCloseable {
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "dashboard-test-load");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  Load(URI target, Duration every, long maxRequests, Duration maxTime) {
    long deadline = System.nanoTime() + maxTime.toNanos();
    timer.scheduleAtFixedRate(
        () -> {
          if (sent.get() >= maxRequests || System.nanoTime() - deadline > 0) {
            timer.shutdown();
            return;
          }
          sent.incrementAndGet();
          HttpRequest request =
              HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build();
          client
              .sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .whenComplete(
                  (r, e) -> {
                    if (e == null && r.statusCode() < 500) {
                      ok.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                    }
                  });
        },
        0,
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  long ok() {
    return ok.get();
  }

  long failed() {
    return failed.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    client.close();
  }
}
