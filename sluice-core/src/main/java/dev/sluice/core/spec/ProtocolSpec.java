package dev.sluice.core.spec;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The protocols of an app's listener: TLS termination, HTTP/2 from clients, and what the router
 * speaks to the app's replicas (spec fields {@code tls}, {@code http2} and {@code
 * upstreamProtocol}, next to {@code listen}).
 *
 * @param tls the PEM files to terminate TLS with, or null for plain TCP
 * @param http2 whether clients may speak HTTP/2 (ALPN {@code h2} over TLS, prior knowledge in clear
 *     text); default false
 * @param upstream the protocol spoken to replicas; default {@link Upstream#HTTP1}
 */
public record ProtocolSpec(@Nullable Tls tls, boolean http2, Upstream upstream) {

  public ProtocolSpec {
    Objects.requireNonNull(upstream, "upstream");
  }

  /** Plain TCP, HTTP/1.1 only, HTTP/1.1 to replicas. */
  public static ProtocolSpec defaults() {
    return new ProtocolSpec(null, false, Upstream.HTTP1);
  }

  /**
   * PEM files of a TLS listener, as given in the spec (relative paths resolve against the daemon's
   * working directory).
   *
   * @param cert the certificate chain, server certificate first
   * @param key the unencrypted PKCS#8 private key
   * @param reloadInterval how often the files are checked for a new pair; default 2s
   */
  public record Tls(String cert, String key, Duration reloadInterval) {}

  /** What the router speaks to replicas. */
  public enum Upstream {
    /** HTTP/1.1 with keep-alive ({@code http1}). */
    HTTP1,
    /** HTTP/2 in clear text with prior knowledge ({@code h2c}); needed for gRPC. */
    H2C
  }
}
