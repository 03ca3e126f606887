package dev.sluice.cli;

import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.SpecException;
import dev.sluice.server.Daemon;
import dev.sluice.store.StoreException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice router}: a process that only routes, by the decisions in a shared store. */
@Command(
    name = "router",
    mixinStandardHelpOptions = true,
    header = "Run a router-only process that follows the leader through a shared store.",
    description = {
      "Runs the routers of the spec's apps and routes with the weights the leader decided,",
      "read from the shared store (PostgreSQL; LISTEN/NOTIFY, and polling as a fallback), to",
      "the replicas the leader runs. It never leads and starts no app process: run it for",
      "more data-plane capacity, or on each host behind a load balancer. Its control API",
      "is read-only (status, history, /healthz, /metrics). See docs/high-availability.md."
    })
final class RouterCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "the spec file (the apps and their listen addresses)")
  Path file;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "state directory: logs, api.addr, admin.token (default: ./.sluice-router)")
  Path stateDir = Path.of(".sluice-router");

  @Option(
      names = "--api-listen",
      paramLabel = "HOST:PORT",
      description = "read-only control API address (default: 127.0.0.1:0, any free port)")
  String apiListen = "127.0.0.1:0";

  @Mixin SharingMixin sharing = new SharingMixin();

  @Override
  public Integer call() throws Exception {
    HostPort api = HostPort.parse(apiListen);
    if (api == null) {
      System.err.println(
          "--api-listen: \"" + apiListen + "\" (expected: HOST:PORT, e.g. 127.0.0.1:9091)");
      return Main.REFUSED;
    }
    if (sharing.store == null) {
      System.err.println(
          "--store is required: a router-only process follows a leader through a shared store"
              + " (postgres://USER:PASSWORD@HOST:PORT/DB)");
      return Main.REFUSED;
    }
    Daemon daemon;
    try {
      daemon =
          Daemon.start(
              Daemon.Options.of(file, stateDir)
                  .withApiListen(api)
                  .withSharing(sharing.sharing().asRouterOnly()));
    } catch (SpecException e) {
      System.err.println(e.getMessage());
      System.err.println("nothing was started");
      return Main.REFUSED;
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("no such spec file: " + e.getFile());
      return Main.REFUSED;
    } catch (java.io.IOException | java.io.UncheckedIOException | StoreException e) {
      System.err.println("cannot start: " + e.getMessage());
      return Main.REFUSED;
    } catch (SharingMixin.BadOption | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return Main.REFUSED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "sluice-shutdown"));
    System.out.println(
        "Sluice router is up, following the leader. Control API (read-only) "
            + daemon.apiUrl()
            + "; Ctrl-C stops it.");
    daemon.awaitStop();
    return 0;
  }
}
