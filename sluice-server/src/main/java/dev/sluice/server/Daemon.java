package dev.sluice.server;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.runtime.platform.Platform;
import dev.sluice.runtime.process.PortRange;
import dev.sluice.runtime.process.ProcessSupervisor;
import dev.sluice.runtime.process.SupervisorOptions;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.server.api.ApiServer;
import dev.sluice.server.api.ShadowApi;
import dev.sluice.server.api.Tls;
import dev.sluice.server.auth.Role;
import dev.sluice.server.auth.Tokens;
import dev.sluice.server.control.Controller;
import dev.sluice.server.control.Leadership;
import dev.sluice.server.dashboard.Dashboard;
import dev.sluice.server.flags.EdgeFlagBindings;
import dev.sluice.server.flags.FlagRollouts;
import dev.sluice.server.flags.FlagRolloutsApi;
import dev.sluice.server.flags.FlagService;
import dev.sluice.server.flags.FlagsApi;
import dev.sluice.server.flags.OfrepApi;
import dev.sluice.server.ha.FollowerGuard;
import dev.sluice.server.ha.SharingOptions;
import dev.sluice.server.ha.StandbyPlatform;
import dev.sluice.server.ha.StoreLeadership;
import dev.sluice.server.kubernetes.KubernetesOptions;
import dev.sluice.server.kubernetes.KubernetesSupport;
import dev.sluice.server.local.LocalPlatform;
import dev.sluice.server.notify.Notifier;
import dev.sluice.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sluice daemon on one host: store, router, process supervisor, controller, feature flags and
 * control API, started in that order and closed in reverse.
 *
 * <p>{@code try (Daemon d = Daemon.start(options)) { d.awaitStop(); }}
 *
 * <p>One daemon per state directory: a second one on the same directory is refused. The API's
 * address goes to {@code <state-dir>/api.addr} and the admin token to {@code
 * <state-dir>/admin.token}, where the CLI finds them.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  public static final String API_ADDR_FILE = "api.addr";

  /** The name of the token in {@code admin.token}, as the event log records its actions. */
  public static final String ADMIN = "admin";

  /**
   * How often a process on a shared store looks for flag changes made by another when no
   * notification came (PostgreSQL's NOTIFY brings them at once).
   */
  static final Duration FLAGS_FOLLOW_INTERVAL = Duration.ofSeconds(1);

  private final Path stateDir;
  private final List<AutoCloseable> parts;
  private final FileLock lock;
  private final String apiUrl;
  private final Controller controller;
  private final Router router;
  private final FlagService flags;
  private final Object stopped = new Object();
  private boolean closed;
  private volatile boolean lostLead;

  /**
   * What to run.
   *
   * @param specFile the spec; deploys re-read it
   * @param stateDir where the store, logs, token and API address live
   * @param apiListen the control API's address (port 0 picks one)
   */
  public record Options(
      Path specFile,
      Path stateDir,
      HostPort apiListen,
      Clock clock,
      @Nullable Tls apiTls,
      KubernetesOptions kubernetes,
      SharingOptions sharing) {
    public static Options of(Path specFile, Path stateDir) {
      return new Options(
          specFile,
          stateDir,
          new HostPort("127.0.0.1", 9090),
          Clock.systemUTC(),
          null,
          KubernetesOptions.AUTO,
          SharingOptions.NONE);
    }

    /** Where the store is and how this process shares it (docs/high-availability.md). */
    public Options withSharing(SharingOptions sharing) {
      return new Options(specFile, stateDir, apiListen, clock, apiTls, kubernetes, sharing);
    }

    /** How to reach Kubernetes, for apps that run there, and whether to elect a leader. */
    public Options withKubernetes(KubernetesOptions k) {
      return new Options(specFile, stateDir, apiListen, clock, apiTls, k, sharing);
    }

    public Options withApiListen(HostPort listen) {
      return new Options(specFile, stateDir, listen, clock, apiTls, kubernetes, sharing);
    }

    /** Serves the control API over TLS with these PEM files. */
    public Options withApiTls(@Nullable Tls tls) {
      return new Options(specFile, stateDir, apiListen, clock, tls, kubernetes, sharing);
    }
  }

  private Daemon(
      Path stateDir,
      List<AutoCloseable> parts,
      FileLock lock,
      String apiUrl,
      Controller controller,
      Router router,
      FlagService flags) {
    this.stateDir = stateDir;
    this.parts = parts;
    this.lock = lock;
    this.apiUrl = apiUrl;
    this.controller = controller;
    this.router = router;
    this.flags = flags;
  }

  /**
   * Starts a daemon.
   *
   * @throws dev.sluice.core.spec.SpecException when the spec has problems; nothing was started
   * @throws IOException when the state directory cannot be used or another daemon holds it
   */
  public static Daemon start(Options o) throws Exception {
    Spec spec = o.sharing().apply(SpecParser.parse(o.specFile()));
    Path stateDir = o.stateDir().toAbsolutePath();
    Files.createDirectories(stateDir);
    FileChannel channel =
        FileChannel.open(
            stateDir.resolve("daemon.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      throw new IOException(
          "another Sluice daemon is using the state directory "
              + stateDir
              + "; stop it first, or use --state-dir");
    }
    if (!o.apiListen().isLoopback() && o.apiTls() == null) {
      log.warn(
          "the control API listens on {}, which is not a loopback address, and has no TLS: anyone"
              + " who can reach it can read state, and tokens travel in clear text",
          o.apiListen());
    }
    List<AutoCloseable> parts = new ArrayList<>();
    try {
      String token = AdminToken.ensure(stateDir);
      Store store =
          o.sharing().store() == null
              ? Store.sqlite(stateDir.resolve("sluice.db"))
              : Store.open(o.sharing().store(), o.specFile().toAbsolutePath().getParent());
      parts.add(store);
      if (o.sharing().routerOnly() && !store.isShared()) {
        throw new IOException(
            "a router-only process follows a leader through a shared store: give --store"
                + " postgres://... (the "
                + store.description()
                + " is one daemon's own)");
      }
      Router router = Router.create(RouterOptions.defaults());
      parts.add(router);
      log.info("router started on the {} transport", router.transport());
      AtomicReference<@Nullable LocalPlatform> platformRef = new AtomicReference<>();
      // Replica ports come from below the kernel's ephemeral range (32768 and up on Linux), so
      // the router's own upstream connections never hold the port a restarting replica needs.
      SupervisorOptions supervision =
          SupervisorOptions.DEFAULT.withPorts(new PortRange(20000, 29999));
      ProcessSupervisor supervisor =
          ProcessSupervisor.create(
              stateDir.resolve("logs"),
              event -> {
                LocalPlatform p = platformRef.get();
                if (p != null) {
                  p.onReplicaEvent(event);
                }
              },
              supervision);
      KubernetesSupport kubernetes = KubernetesSupport.start(spec, o.kubernetes());
      if (kubernetes != null) {
        parts.add(kubernetes);
      }
      // Processes that share the store elect a leader with a lease in it. Replicas then outlive
      // the process that started them, for the next leader to adopt: the supervisor is never
      // closed (closing it would stop them), and a process that loses the lead stops.
      AtomicReference<@Nullable String> apiUrlRef = new AtomicReference<>();
      AtomicReference<@Nullable Daemon> self = new AtomicReference<>();
      StoreLeadership shared = null;
      if (store.isShared() && kubernetes == null) {
        shared =
            o.sharing().routerOnly()
                ? StoreLeadership.observe(store, o.sharing().leaseTtl())
                : StoreLeadership.start(
                    store,
                    holderId(),
                    apiUrlRef::get,
                    o.sharing().leaseTtl(),
                    () -> lostLeadership(self.get()));
        parts.add(shared);
      }
      if (shared == null || o.sharing().stopReplicasOnClose()) {
        parts.add(supervisor);
      }
      StoreLeadership sharedLeadership = shared;
      Path baseDir = o.specFile().toAbsolutePath().getParent();
      Analyzer analyzer = Analyzer.create(router.metrics(), router.shadow(), baseDir);
      Controller controller =
          new Controller(
              spec,
              new Controller.Parts(
                  shared == null ? store : store.fencedBy(shared::fence),
                  baseDir,
                  stateDir.resolve("logs"),
                  analyzer,
                  o.clock(),
                  kubernetes != null
                      ? kubernetes.leadership()
                      : shared != null ? shared : Leadership.ALWAYS),
              (specs, controllerThread) -> {
                LocalPlatform p =
                    new LocalPlatform(router, supervisor, store, specs, baseDir, o.clock());
                p.runCompletionsOn(controllerThread);
                platformRef.set(p);
                Platform here =
                    sharedLeadership == null
                        ? p
                        : new StandbyPlatform(
                            router, store, specs, o.sharing().routerOnly() ? null : p);
                return kubernetes == null ? here : kubernetes.platform(here, specs, o.clock());
              });
      parts.add(controller);
      Notifier notifier =
          new Notifier(
              app -> {
                AppSpec a = controller.spec(app);
                return a == null ? List.of() : a.notifications();
              },
              Duration.ofSeconds(1));
      parts.add(notifier);
      controller.subscribe(notifier::accept);
      controller.start();
      if (kubernetes != null) {
        kubernetes.watchReleases(controller, o.specFile());
      }
      Tokens tokens = new Tokens(store, o.clock());
      if (tokens.verify(token).isEmpty()) {
        if (tokens.exists(ADMIN)) {
          log.warn(
              "{} does not match the stored '{}' token: the CLI cannot use it; revoke and recreate",
              AdminToken.FILE,
              ADMIN);
        } else {
          tokens.add(ADMIN, Role.ADMIN, token);
          // The same audit line as tokens made through the API (ApiServer), never the text.
          LoggerFactory.getLogger("sluice.audit")
              .info(
                  "token created: name={} role=admin environment=- by=sluice up ({})",
                  ADMIN,
                  AdminToken.FILE);
        }
      }
      FlagService flags = FlagService.start(store, o.clock());
      parts.add(flags);
      if (store.isShared()) {
        // Other processes change the flags too (the leader, through its API and rollouts).
        flags.follow(store::onChange, FLAGS_FOLLOW_INTERVAL);
      }
      if (spec.flags() != null && !o.sharing().routerOnly()) {
        flags.watchFile(baseDir.resolve(spec.flags().file()));
      }
      EdgeFlagBindings edgeFlags = new EdgeFlagBindings(router, flags);
      edgeFlags.install(spec.apps());
      Leadership leads =
          kubernetes != null
              ? kubernetes.leadership()
              : shared != null ? shared : Leadership.ALWAYS;
      FlagRollouts rollouts =
          new FlagRollouts(flags, analyzer, edgeFlags, o.clock(), leads::isLeader);
      parts.add(rollouts);
      FlagsApi flagsApi = new FlagsApi(flags);
      Dashboard dashboard =
          Dashboard.start(
              new Dashboard.Parts(
                  controller, router.metrics(), router.shadow(), flags, tokens, o.clock()));
      parts.add(dashboard);
      ApiServer api =
          ApiServer.start(
              o.apiListen(),
              o.apiTls(),
              controller,
              router.metrics(),
              router.shadow(),
              tokens,
              () -> {
                // Edge flags follow the spec file as deploys reread it.
                Spec reread = o.sharing().apply(SpecParser.parse(o.specFile()));
                edgeFlags.install(reread.apps());
                return reread;
              },
              shared == null
                  ? List.of(
                      flagsApi,
                      new FlagRolloutsApi(rollouts),
                      new OfrepApi(flags),
                      dashboard,
                      new ShadowApi(controller, router.shadow()))
                  : List.of(
                      new FollowerGuard(shared),
                      flagsApi,
                      new FlagRolloutsApi(rollouts),
                      new OfrepApi(flags),
                      dashboard,
                      new ShadowApi(controller, router.shadow())));
      parts.add(api);
      parts.add(flagsApi); // closed first: ends open change streams before the API stops
      parts.add(dashboard::close); // likewise the dashboard's live streams
      InetSocketAddress bound = api.address(o.apiListen().host());
      String url =
          (o.apiTls() == null ? "http://" : "https://")
              + new HostPort(bound.getHostString(), bound.getPort());
      Files.writeString(stateDir.resolve(API_ADDR_FILE), url + "\n");
      apiUrlRef.set(url);
      log.info("Sluice is up: control API {}, state in {}, {}", url, stateDir, store.description());
      Daemon daemon = new Daemon(stateDir, parts, lock, url, controller, router, flags);
      self.set(daemon);
      return daemon;
    } catch (Exception | Error e) {
      closeAll(parts);
      lock.release();
      lock.channel().close();
      throw e;
    }
  }

  /** The control API's base URL, e.g. {@code http://127.0.0.1:9090}. */
  public String apiUrl() {
    return apiUrl;
  }

  public Controller controller() {
    return controller;
  }

  public Router router() {
    return router;
  }

  /** The feature flags: the stored set, its versions and evaluation. */
  public FlagService flags() {
    return flags;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The control API's routes, as {@code "GET /api/v1/apps"}; see {@link ApiServer#routes()}. */
  public List<String> apiRoutes() {
    for (AutoCloseable p : parts) {
      if (p instanceof ApiServer a) {
        return a.routes();
      }
    }
    return List.of();
  }

  /** A unique id of this process among those sharing a store: host, pid and a random part. */
  private static String holderId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return host
        + ":"
        + ProcessHandle.current().pid()
        + ":"
        + Integer.toHexString(new java.security.SecureRandom().nextInt());
  }

  /**
   * Another process took the lead from this one (it was paused or cut off for longer than the
   * lease): this process stops, leaving the replicas to the new leader, since it cannot go back to
   * following while its supervisor still watches them. A service manager starts it again, as a
   * follower.
   */
  private static void lostLeadership(@Nullable Daemon daemon) {
    log.error(
        "another process took the lead from this one: stopping (the replicas keep running for the"
            + " new leader)");
    if (daemon != null) {
      daemon.lostLead = true;
      Thread.ofPlatform().name("sluice-demoted").start(daemon::close);
    }
  }

  /** Whether this daemon stopped because another process took the lead from it. */
  public boolean lostLead() {
    return lostLead;
  }

  /** Blocks until {@link #close} is called. */
  public void awaitStop() throws InterruptedException {
    synchronized (stopped) {
      while (!closed) {
        stopped.wait();
      }
    }
  }

  /** Stops the API, the controller, the app processes, the router and the store. */
  @Override
  public void close() {
    synchronized (stopped) {
      if (closed) {
        return;
      }
      closed = true;
      stopped.notifyAll();
    }
    try {
      Files.deleteIfExists(stateDir.resolve(API_ADDR_FILE));
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", API_ADDR_FILE, e.getMessage());
    }
    closeAll(parts);
    try {
      lock.release();
      lock.channel().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.info("Sluice stopped");
  }

  private static void closeAll(List<AutoCloseable> parts) {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("while stopping {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }
}
