package dev.sluice.router;

/** The protocol a listener speaks to its upstream replicas. */
public enum UpstreamProtocol {
  /** HTTP/1.1 with pooled keep-alive connections (the default). */
  HTTP1,
  /**
   * HTTP/2 over cleartext (h2c, prior knowledge), one multiplexed connection per replica and event
   * loop; what gRPC needs.
   */
  HTTP2
}
