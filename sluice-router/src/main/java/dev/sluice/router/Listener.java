package dev.sluice.router;

import java.net.InetSocketAddress;

/**
 * One listening socket of the router with its own routing table.
 *
 * <p>{@link #update(RoutingTable)} replaces the table with one volatile write: the next request
 * sees it, requests in flight finish where they started.
 */
public interface Listener extends AutoCloseable {

  /** Returns the listener's options (its name is the metrics {@code app} label). */
  ListenerOptions options();

  /** Returns the bound address, with port 0 resolved. */
  InetSocketAddress address();

  /** Returns the current routing table. */
  RoutingTable table();

  /**
   * Replaces the routing table atomically; endpoints no longer in any listener's table drain: their
   * requests in flight complete and their idle pooled connections close.
   */
  void update(RoutingTable table);

  /** Stops accepting, closes this listener's connections and drains its endpoints. */
  @Override
  void close();
}
