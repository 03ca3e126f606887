package dev.sluice.bench;

import dev.sluice.router.Endpoint;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Match;
import dev.sluice.router.RouteRule;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.Sticky;
import dev.sluice.router.StringMatch;
import dev.sluice.router.health.HealthCheckOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
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
 *     [--event-loops 2] [--http2]
 *     [--canary 127.0.0.1:8082 [--canary-weight 10]
 *      [--rule header:x-canary=true] [--rule cookie:beta=1] [--rule path:/api/v2]
 *      [--sticky-header x-user-id]]
 * </pre>
 *
 * <p>With {@code --canary} the table has two versions, {@code v1} (the upstream, weight {@code 100
 * - canary-weight}) and {@code v2} (the canary, last, so that sticky hashing grows it
 * monotonically); each {@code --rule} sends matching requests to {@code v2} (a header or cookie
 * equal to a value, or a path prefix), in the order given; {@code --sticky-header} hashes that
 * header to pick the version of requests no rule took.
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
    InetSocketAddress canary = null;
    int canaryWeight = 10;
    List<RouteRule> rules = new ArrayList<>();
    Sticky sticky = null;
    boolean http2 = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--upstream" -> upstream = address("--upstream", value(args, ++i));
        case "--listen" -> listen = address("--listen", value(args, ++i));
        case "--event-loops" -> loops = number("--event-loops", value(args, ++i), 1, 256);
        case "--canary" -> canary = address("--canary", value(args, ++i));
        case "--canary-weight" ->
            canaryWeight = number("--canary-weight", value(args, ++i), 0, 100);
        case "--rule" -> rules.add(rule(value(args, ++i)));
        case "--sticky-header" -> sticky = Sticky.header(value(args, ++i));
        case "--http2" -> http2 = true;
        default -> usage("unknown argument: " + args[i]);
      }
    }
    if (upstream == null) {
      usage("--upstream is required");
      return;
    }
    if (canary == null && (!rules.isEmpty() || sticky != null)) {
      usage("--rule and --sticky-header need --canary (the version rules and hashing pick)");
    }
    Router router = Router.create(RouterOptions.defaults().withEventLoops(loops));
    Endpoint endpoint = new Endpoint("bench/v1/0", upstream.getHostString(), upstream.getPort());
    router
        .health()
        .watch(
            endpoint,
            new HealthCheckOptions("/", Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 3)
                .withStartHealthy(true));
    Listener listener = router.listen(ListenerOptions.of("bench", listen).withHttp2(http2));
    RoutingTable table;
    if (canary == null) {
      table = RoutingTable.builder().version("v1", 100, List.of(endpoint)).build();
    } else {
      Endpoint second = new Endpoint("bench/v2/0", canary.getHostString(), canary.getPort());
      router
          .health()
          .watch(
              second,
              new HealthCheckOptions("/", Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 3)
                  .withStartHealthy(true));
      table =
          RoutingTable.builder()
              .version("v1", 100 - canaryWeight, List.of(endpoint))
              .version("v2", canaryWeight, List.of(second))
              .rules(rules)
              .sticky(sticky)
              .build();
    }
    listener.update(table);

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
        "sluice-router pid=%d port=%d transport=%s event-loops=%d%s%n",
        ProcessHandle.current().pid(),
        listener.address().getPort(),
        router.transport(),
        loops,
        canary == null
            ? ""
            : " canary-weight=" + canaryWeight + " rules=" + rules.size() + " sticky=" + sticky);
    System.out.flush();
    stopped.await();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + ": missing value");
    }
    return args[i];
  }

  private static int number(String flag, String text, int min, int max) {
    try {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(flag + ": '" + text + "' (expected: a number " + min + ".." + max + ")");
    return min;
  }

  /** {@code header:NAME=VALUE}, {@code cookie:NAME=VALUE} or {@code path:/PREFIX}, to v2. */
  private static RouteRule rule(String text) {
    int colon = text.indexOf(':');
    String kind = colon < 0 ? "" : text.substring(0, colon);
    String rest = text.substring(colon + 1);
    int eq = rest.indexOf('=');
    try {
      switch (kind) {
        case "header":
          if (eq > 0) {
            return RouteRule.to(
                "v2",
                Match.header(rest.substring(0, eq), StringMatch.exact(rest.substring(eq + 1))));
          }
          break;
        case "cookie":
          if (eq > 0) {
            return RouteRule.to(
                "v2",
                Match.cookie(rest.substring(0, eq), StringMatch.exact(rest.substring(eq + 1))));
          }
          break;
        case "path":
          return RouteRule.to("v2", Match.pathPrefix(rest));
        default:
          break;
      }
    } catch (IllegalArgumentException e) {
      usage("--rule: '" + text + "': " + e.getMessage());
    }
    usage(
        "--rule: '" + text + "' (expected: header:NAME=VALUE, cookie:NAME=VALUE or path:/PREFIX)");
    throw new AssertionError("usage() exits");
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
        "usage: RouterBenchServer --upstream HOST:PORT [--listen HOST:PORT] [--event-loops N]"
            + " [--canary HOST:PORT [--canary-weight 0..100] [--rule header:N=V|cookie:N=V|path:/P]..."
            + " [--sticky-header NAME]] [--http2]");
    System.exit(2);
  }
}
