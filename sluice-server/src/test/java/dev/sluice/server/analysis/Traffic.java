package dev.sluice.server.analysis;

import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One app on a real router, split 50/50 between a stable {@code v1} and a canary {@code v2}, and a
 * client that sends it a bounded number of requests.
 */
final class Traffic implements AutoCloseable {
  private static final AtomicInteger APPS = new AtomicInteger();

  /** The app's name: unique, so tests sharing a router do not share metrics. */
  final String app = "shop" + APPS.incrementAndGet();

  private final Router router;
  private final Listener listener;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A router for the tests of one class; close it after them. */
  static Router router() {
    return Router.create(RouterOptions.defaults().withEventLoops(1));
  }

  /** Splits traffic 50/50 between the stable and the canary upstream. */
  Traffic(Router router, TestServer stable, TestServer canary) {
    this.router = router;
    this.listener = router.listen(ListenerOptions.of(app, new InetSocketAddress("127.0.0.1", 0)));
    listener.update(
        RoutingTable.builder()
            .version("v1", 50, List.of(new Endpoint(app + "/v1/0", "127.0.0.1", stable.port())))
            .version("v2", 50, List.of(new Endpoint(app + "/v2/0", "127.0.0.1", canary.port())))
            .build());
  }

  /** Sends {@code n} requests, at most 16 at a time, and waits for every answer. */
  void send(int n) {
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> all = new ArrayList<>();
    URI uri = URI.create("http://127.0.0.1:" + listener.address().getPort() + "/");
    for (int i = 0; i < n; i++) {
      inFlight.acquireUninterruptibly();
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build();
      all.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }

  /** Requests the router has counted for a version in the last minute. */
  long served(String version) {
    return router.metrics().window(app, version, Duration.ofMinutes(1)).requests();
  }

  @Override
  public void close() {
    client.close();
    listener.close();
  }
}
