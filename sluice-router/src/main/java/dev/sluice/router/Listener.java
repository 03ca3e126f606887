package dev.sluice.router;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One listening socket of the router with its routing: one app's {@link RoutingTable}, or several
 * apps chosen by host and path prefix ({@link Mount}s).
 *
 * <p>An update replaces the routing with one volatile write: the next request sees it, requests in
 * flight finish where they started.
 */
public interface Listener extends AutoCloseable {

  /** Returns the listener's options (its name is the metrics {@code app} label of one app). */
  ListenerOptions options();

  /** Returns the bound address, with port 0 resolved. */
  InetSocketAddress address();

  /**
   * Returns the table of the app named as the listener (what {@link #update(RoutingTable)} set), or
   * {@link RoutingTable#EMPTY} when the mounts have no such app.
   */
  RoutingTable table();

  /**
   * Returns the current mounts; after {@link #update(RoutingTable)}, one mount of every request.
   */
  List<Mount> mounts();

  /**
   * Replaces the routing with one app, named as the listener, that takes every request; endpoints
   * no longer in any listener's table drain: their requests in flight complete and their idle
   * pooled connections close.
   */
  void update(RoutingTable table);

  /**
   * Replaces the routing with these apps (see {@link Mount} for how a request finds its app; none:
   * 404); endpoints no longer in any listener's table drain as with {@link #update(RoutingTable)}.
   *
   * @throws IllegalArgumentException when the list is empty
   */
  void update(List<Mount> mounts);

  /** Stops accepting, closes this listener's connections and drains its endpoints. */
  @Override
  void close();
}
