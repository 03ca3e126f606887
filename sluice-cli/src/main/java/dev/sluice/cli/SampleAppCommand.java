package dev.sluice.cli;

import dev.sluice.cli.demo.SampleApp;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice sample-app}: the app the demo and the tests release. */
@Command(
    name = "sample-app",
    mixinStandardHelpOptions = true,
    header = "A small HTTP app for demos and tests (listens on $PORT).",
    description = {
      "A small HTTP app for demos and tests, listening on $PORT (or --port): / answers 200 with",
      "the version (500 at --error-rate), /health and /ready answer 200, /slow?ms=N waits N ms,",
      "/api/items answers JSON ({items, version, time}), POST /admin/error-rate?permille=N",
      "changes the error rate while it runs (a fault switch)."
    })
final class SampleAppCommand implements Callable<Integer> {
  @Option(
      names = "--version",
      required = true,
      paramLabel = "V",
      description = "the version it reports")
  String version;

  @Option(
      names = "--error-rate",
      paramLabel = "R",
      description = "share of / requests that fail with 500, 0..1")
  double errorRate;

  @Option(names = "--latency-ms", paramLabel = "N", description = "added to every / request")
  long latencyMs;

  @Option(names = "--items", paramLabel = "N", description = "items /api/items lists (default: 3)")
  int items = 3;

  @Option(names = "--port", paramLabel = "PORT", description = "default: $PORT")
  Integer port;

  @Option(names = "--host", paramLabel = "HOST", description = "default: 127.0.0.1")
  String host = "127.0.0.1";

  @Override
  public Integer call() throws Exception {
    if (errorRate < 0 || errorRate > 1) {
      System.err.println("--error-rate: " + errorRate + " (expected: 0..1)");
      return Main.REFUSED;
    }
    int p;
    if (port != null) {
      p = port;
    } else if (System.getenv("PORT") != null) {
      p = Integer.parseInt(System.getenv("PORT"));
    } else {
      System.err.println("no port: set $PORT or pass --port");
      return Main.REFUSED;
    }
    SampleApp app = SampleApp.start(host, p, version, errorRate, latencyMs, items);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stop.countDown();
                }));
    System.out.println("sample-app " + version + " listening on " + host + ":" + app.port());
    stop.await();
    return 0;
  }
}
