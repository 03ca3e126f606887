package dev.sluice.router;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of one {@link Listener}: its app name, address, timeouts, balancing, resilience
 * (retries, their budget, outlier detection, limits per replica) and protocols (TLS, HTTP/2, the
 * upstream protocol).
 *
 * <pre>{@code
 * ListenerOptions.of("shop", new InetSocketAddress("127.0.0.1", 8443))
 *     .withRequestTimeout(Duration.ofSeconds(30))
 *     .withOutlierDetection(new OutlierDetection(5, Duration.ofSeconds(30), 50))
 *     .withMaxConnectionsPerReplica(200)
 *     .withTls(Path.of("tls/cert.pem"), Path.of("tls/key.pem"))
 *     .withHttp2(true);
 * }</pre>
 *
 * <p><b>Retries.</b> A request is tried on another replica (of the same version when it has one;
 * after a connection failure else of another version) after a connection that could not be opened
 * or a pooled connection found closed, for any method, and after a fresh connection reset before
 * the response or a 503 answer, for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE); never
 * once request body bytes that are not kept (bodies over 8 KiB, or not in the first read) have gone
 * upstream, never after part of the response went to the client, and never beyond {@code
 * maxRetries} or the {@link RetryBudget}. A 503 is retried only on another replica of the same
 * version (so a failing version's answers are not hidden behind another version), and is passed on
 * when there is none.
 *
 * <p><b>Limits.</b> With {@code maxConnectionsPerReplica} above 0, a replica has at most that many
 * requests in flight (HTTP/1.1: connections in use); a request whose version has no replica under
 * the limit waits for one, at most {@code maxPendingPerReplica} per replica and at most the connect
 * timeout (as HAProxy's {@code timeout queue} defaults to its {@code timeout connect}), and beyond
 * that gets 503 at once, with a body that says which limit it met. Idle keep-alive connections do
 * not hold a slot.
 *
 * @param name app name; the {@code app} label of the listener's metrics
 * @param address where to listen; port 0 picks a free port
 * @param connectTimeout limit for opening an upstream connection (then 504, after retries)
 * @param requestTimeout limit from sending a request upstream to its response headers (504)
 * @param idleTimeout how long an idle client keep-alive connection stays open
 * @param balancing how a replica is chosen within a version
 * @param maxRetries how many other replicas a request may try (see above), 0..5
 * @param tunnelIdleTimeout how long a tunnel (an upgraded connection, such as a WebSocket) may go
 *     without a byte either way before the router ends it
 * @param outlierDetection passive ejection of failing replicas
 * @param retryBudget how many retries may be added to the traffic
 * @param maxConnectionsPerReplica most requests in flight per replica, 0 for no limit
 * @param maxPendingPerReplica most requests waiting per replica at its limit, 0 or more
 * @param tls the PEM files to terminate TLS with, or null for plain TCP
 * @param http2 whether clients may speak HTTP/2: over TLS by ALPN ({@code h2}), in clear text with
 *     prior knowledge (the router does not take {@code Upgrade: h2c} itself)
 * @param upstreamProtocol the protocol spoken to replicas
 */
public record ListenerOptions(
    String name,
    InetSocketAddress address,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration idleTimeout,
    Balancing balancing,
    int maxRetries,
    Duration tunnelIdleTimeout,
    OutlierDetection outlierDetection,
    RetryBudget retryBudget,
    int maxConnectionsPerReplica,
    int maxPendingPerReplica,
    @Nullable TlsFiles tls,
    boolean http2,
    UpstreamProtocol upstreamProtocol) {

  /** Validates. */
  public ListenerOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("idleTimeout", idleTimeout);
    Objects.requireNonNull(balancing, "balancing");
    if (maxRetries < 0 || maxRetries > 5) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: 0..5)");
    }
    positive("tunnelIdleTimeout", tunnelIdleTimeout);
    Objects.requireNonNull(outlierDetection, "outlierDetection");
    Objects.requireNonNull(retryBudget, "retryBudget");
    if (maxConnectionsPerReplica < 0) {
      throw new IllegalArgumentException(
          "maxConnectionsPerReplica: " + maxConnectionsPerReplica + " (expected: 0 or more)");
    }
    if (maxPendingPerReplica < 0) {
      throw new IllegalArgumentException(
          "maxPendingPerReplica: " + maxPendingPerReplica + " (expected: 0 or more)");
    }
    Objects.requireNonNull(upstreamProtocol, "upstreamProtocol");
  }

  /**
   * Defaults: connect 2 s, request 60 s, idle 75 s, least outstanding, 2 retries within {@link
   * RetryBudget#DEFAULT}, tunnel idle 1 h, no outlier detection, no limits, plain TCP, HTTP/1.1 to
   * clients and replicas.
   */
  public static ListenerOptions of(String name, InetSocketAddress address) {
    return new ListenerOptions(
        name,
        address,
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(75),
        Balancing.LEAST_OUTSTANDING,
        2,
        Duration.ofHours(1),
        OutlierDetection.DISABLED,
        RetryBudget.DEFAULT,
        0,
        0,
        null,
        false,
        UpstreamProtocol.HTTP1);
  }

  /** Returns a copy with this connect timeout. */
  public ListenerOptions withConnectTimeout(Duration d) {
    return with(c -> c.connectTimeout = d);
  }

  /** Returns a copy with this request timeout. */
  public ListenerOptions withRequestTimeout(Duration d) {
    return with(c -> c.requestTimeout = d);
  }

  /** Returns a copy with this idle timeout. */
  public ListenerOptions withIdleTimeout(Duration d) {
    return with(c -> c.idleTimeout = d);
  }

  /** Returns a copy with this balancing. */
  public ListenerOptions withBalancing(Balancing b) {
    return with(c -> c.balancing = b);
  }

  /** Returns a copy with this retry limit. */
  public ListenerOptions withMaxRetries(int n) {
    return with(c -> c.maxRetries = n);
  }

  /** Returns a copy with this tunnel idle timeout. */
  public ListenerOptions withTunnelIdleTimeout(Duration d) {
    return with(c -> c.tunnelIdleTimeout = d);
  }

  /** Returns a copy with this outlier detection ({@link OutlierDetection#DISABLED}: none). */
  public ListenerOptions withOutlierDetection(OutlierDetection o) {
    return with(c -> c.outlierDetection = o);
  }

  /** Returns a copy with this retry budget. */
  public ListenerOptions withRetryBudget(RetryBudget b) {
    return with(c -> c.retryBudget = b);
  }

  /** Returns a copy allowing at most this many requests in flight per replica (0: no limit). */
  public ListenerOptions withMaxConnectionsPerReplica(int n) {
    return with(c -> c.maxConnectionsPerReplica = n);
  }

  /** Returns a copy letting at most this many requests wait per replica at its connection limit. */
  public ListenerOptions withMaxPendingPerReplica(int n) {
    return with(c -> c.maxPendingPerReplica = n);
  }

  /** Returns a copy that terminates TLS with these files (null: plain TCP). */
  public ListenerOptions withTls(@Nullable TlsFiles t) {
    return with(c -> c.tls = t);
  }

  /** Returns a copy that does (or does not) accept HTTP/2 from clients. */
  public ListenerOptions withHttp2(boolean on) {
    return with(c -> c.http2 = on);
  }

  /** Returns a copy speaking this protocol to replicas. */
  public ListenerOptions withUpstreamProtocol(UpstreamProtocol p) {
    return with(c -> c.upstreamProtocol = p);
  }

  /** Returns a copy that terminates TLS with these PEM files, checked every 2 seconds. */
  public ListenerOptions withTls(Path certificateChain, Path privateKey) {
    return withTls(new TlsFiles(certificateChain, privateKey));
  }

  /** Returns a copy with outlier detection; see {@link OutlierDetection}. */
  public ListenerOptions withOutlierDetection(
      int consecutiveFailures, Duration baseEjection, int maxEjectionPercent) {
    return withOutlierDetection(
        new OutlierDetection(consecutiveFailures, baseEjection, maxEjectionPercent));
  }

  /** Returns a copy with a retry budget of this percent (and the default minimum per second). */
  public ListenerOptions withRetryBudget(int percent) {
    return withRetryBudget(new RetryBudget(percent, RetryBudget.DEFAULT.minPerSecond()));
  }

  /**
   * The components as mutable fields, for the withers: copied, changed, validated as a new value.
   */
  private static final class Copy {
    String name;
    InetSocketAddress address;
    Duration connectTimeout;
    Duration requestTimeout;
    Duration idleTimeout;
    Balancing balancing;
    int maxRetries;
    Duration tunnelIdleTimeout;
    OutlierDetection outlierDetection;
    RetryBudget retryBudget;
    int maxConnectionsPerReplica;
    int maxPendingPerReplica;
    @Nullable TlsFiles tls;
    boolean http2;
    UpstreamProtocol upstreamProtocol;

    Copy(ListenerOptions o) {
      name = o.name;
      address = o.address;
      connectTimeout = o.connectTimeout;
      requestTimeout = o.requestTimeout;
      idleTimeout = o.idleTimeout;
      balancing = o.balancing;
      maxRetries = o.maxRetries;
      tunnelIdleTimeout = o.tunnelIdleTimeout;
      outlierDetection = o.outlierDetection;
      retryBudget = o.retryBudget;
      maxConnectionsPerReplica = o.maxConnectionsPerReplica;
      maxPendingPerReplica = o.maxPendingPerReplica;
      tls = o.tls;
      http2 = o.http2;
      upstreamProtocol = o.upstreamProtocol;
    }

    ListenerOptions build() {
      return new ListenerOptions(
          name,
          address,
          connectTimeout,
          requestTimeout,
          idleTimeout,
          balancing,
          maxRetries,
          tunnelIdleTimeout,
          outlierDetection,
          retryBudget,
          maxConnectionsPerReplica,
          maxPendingPerReplica,
          tls,
          http2,
          upstreamProtocol);
    }
  }

  private ListenerOptions with(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  private static void positive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: a positive duration)");
    }
  }
}
