package dev.sluice.cli;

import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.SpecException;
import dev.sluice.kubernetes.lease.LeaseElection;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Tls;
import dev.sluice.server.kubernetes.KubernetesOptions;
import dev.sluice.store.StoreException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice up}: the daemon, in the foreground. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    header = "Run the daemon in the foreground (router, supervisor, controller, API).",
    description = {
      "Runs the Sluice daemon in the foreground: router, process supervisor, controller and",
      "control API. Ctrl-C (SIGINT or SIGTERM) stops it and the app processes it started.",
      "",
      "With --store postgres://..., several processes share one store: one leads (decides",
      "and runs the app processes), the others route by its decisions with a read-only API",
      "and take over when it goes. Stopping one of them leaves the app processes running for",
      "the next leader. See docs/high-availability.md.",
      "",
      "Exit status: 0 when stopped, 2 when refused, 4 when another process took the lead."
    })
final class UpCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "the spec file")
  Path file;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "state directory (default: ./.sluice)")
  Path stateDir = Path.of(".sluice");

  @Option(
      names = "--api-listen",
      paramLabel = "HOST:PORT",
      description = "control API address (default: 127.0.0.1:9090)")
  String apiListen = "127.0.0.1:9090";

  @Option(
      names = "--api-tls-cert",
      paramLabel = "PEM",
      description = "serve the control API over TLS with this certificate chain (PEM)")
  Path tlsCert;

  @Option(
      names = "--api-tls-key",
      paramLabel = "PEM",
      description = "the certificate's private key (PEM, unencrypted PKCS#8)")
  Path tlsKey;

  @Option(
      names = "--lease",
      paramLabel = "NAMESPACE/NAME",
      description = {
        "on Kubernetes: elect one leader among Sluice instances on this Lease; only the leader",
        "decides, the others serve the API read-only (identity: $POD_NAME, else the host name)"
      })
  String lease;

  @Mixin SharingMixin sharing = new SharingMixin();

  /** Exit status when another process took the lead from this one. */
  static final int LOST_LEAD = 4;

  @Override
  public Integer call() throws Exception {
    HostPort api = HostPort.parse(apiListen);
    if (api == null) {
      System.err.println(
          "--api-listen: \"" + apiListen + "\" (expected: HOST:PORT, e.g. 127.0.0.1:9090)");
      return Main.REFUSED;
    }
    Daemon daemon;
    try {
      if ((tlsCert == null) != (tlsKey == null)) {
        System.err.println(
            "--api-tls-cert and --api-tls-key go together (expected: both or neither)");
        return Main.REFUSED;
      }
      KubernetesOptions kubernetes = KubernetesOptions.AUTO;
      if (lease != null) {
        String[] at = lease.split("/", -1);
        if (at.length != 2 || at[0].isEmpty() || at[1].isEmpty()) {
          System.err.println(
              "--lease: \"" + lease + "\" (expected: NAMESPACE/NAME, e.g. sluice/sluice-leader)");
          return Main.REFUSED;
        }
        String identity = System.getenv("POD_NAME");
        if (identity == null || identity.isBlank()) {
          identity = java.net.InetAddress.getLocalHost().getHostName();
        }
        kubernetes =
            kubernetes.withLease(
                new KubernetesOptions.Lease(at[0], at[1], identity, LeaseElection.Timing.DEFAULT));
      }
      daemon =
          Daemon.start(
              Daemon.Options.of(file, stateDir)
                  .withApiListen(api)
                  .withApiTls(tlsCert == null ? null : new Tls(tlsCert, tlsKey))
                  .withKubernetes(kubernetes)
                  .withSharing(sharing.sharing()));
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
    System.out.println("Sluice is up. Control API " + daemon.apiUrl() + "; Ctrl-C stops it.");
    daemon.awaitStop();
    return daemon.lostLead() ? LOST_LEAD : 0;
  }
}
