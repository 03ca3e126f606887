package dev.sluice.bench;

import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.health.HealthCheckOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Sluice router for load tests: one listener with a static table in front of one
 * upstream, with health checks and metrics on as in production (the upstream is checked every 2 s,
 * and the Prometheus text is rendered every 5 s, as a scraper would ask for it).
 *
 * <pre>
 * java -jar sluice-bench-router.jar --upstream 127.0.0.1:8081 [--listen 127.0.0.1:8080]
 *     [--event-loops 2]
 * </pre>
 *
 * <p>Prints one line {@code sluice-router pid=... port=... transport=... event-loops=...} when
 * ready and runs until killed.
 */
public final class RouterBenchServer {

  private RouterBenchServer() {}

  public static void main(String[] args) throws InterruptedException {
    InetSocketAddress upstream = null;
    InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
    int loops = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--upstream" -> upstream = address("--upstream", args[++i]);
        case "--listen" -> listen = address("--listen", args[++i]);
        case "--event-loops" -> loops = Integer.parseInt(args[++i]);
        default -> usage("unknown argument: " + args[i]);
      }
    }
    if (upstream == null) {
      usage("--upstream is required");
      return;
    }
    Router router = Router.create(RouterOptions.defaults().withEventLoops(loops));
    Endpoint endpoint = new Endpoint("bench/v1/0", upstream.getHostString(), upstream.getPort());
    router
        .health()
        .watch(
            endpoint,
            new HealthCheckOptions("/", Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 3)
                .withStartHealthy(true));
    Listener listener = router.listen(ListenerOptions.of("bench", listen));
    listener.update(RoutingTable.builder().version("v1", 100, List.of(endpoint)).build());

    ScheduledExecutorService scraper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-scraper");
              t.setDaemon(true);
              return t;
            });
    scraper.scheduleAtFixedRate(
        () -> {
          StringBuilder out = new StringBuilder(4096);
          try {
            router.metrics().writePrometheus(out);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        5,
        5,
        TimeUnit.SECONDS);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  scraper.shutdownNow();
                  router.close();
                  stopped.countDown();
                }));
    System.out.printf(
        "sluice-router pid=%d port=%d transport=%s event-loops=%d%n",
        ProcessHandle.current().pid(), listener.address().getPort(), router.transport(), loops);
    System.out.flush();
    stopped.await();
  }

  private static InetSocketAddress address(String flag, String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      usage(flag + ": '" + hostPort + "' (expected: host:port)");
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: RouterBenchServer --upstream HOST:PORT [--listen HOST:PORT] [--event-loops N]");
    System.exit(2);
  }
}
