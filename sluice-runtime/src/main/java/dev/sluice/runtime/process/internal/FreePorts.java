package dev.sluice.runtime.process.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

/**
 * Picks TCP ports for replicas by letting the kernel choose: bind port 0, read the port, close.
 *
 * <p>Between the close and the replica's own bind another process may take the port; the replica
 * then fails to bind and dies, and its restart checks the port again and picks a new one when it is
 * taken. Ports the supervisor already gave to other replicas are skipped, since a replica in
 * backoff does not hold its port while it waits.
 */
public final class FreePorts {
  private static final int ATTEMPTS = 50;

  private FreePorts() {}

  /**
   * Returns a port that is free on {@code host} now and not {@code reserved}.
   *
   * @throws IOException if none was found in a few attempts
   */
  public static int allocate(InetAddress host, IntPredicate reserved) throws IOException {
    IOException last = null;
    for (int i = 0; i < ATTEMPTS; i++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(host, 0), 1);
        int port = socket.getLocalPort();
        if (!reserved.test(port)) {
          return port;
        }
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException(
        "no free port on " + host.getHostAddress() + " after " + ATTEMPTS + " attempts", last);
  }

  /**
   * Returns a port of {@code first..last} that is free on {@code host} now and not {@code
   * reserved}, trying them from a random one on, so replicas do not pile up at the bottom.
   *
   * @throws IOException if every port of the range is taken
   */
  public static int allocate(InetAddress host, int first, int last, IntPredicate reserved)
      throws IOException {
    int size = last - first + 1;
    int offset = ThreadLocalRandom.current().nextInt(size);
    for (int i = 0; i < size; i++) {
      int port = first + (offset + i) % size;
      if (!reserved.test(port) && isFree(host, port)) {
        return port;
      }
    }
    throw new IOException("no free port in " + first + "-" + last + " on " + host.getHostAddress());
  }

  /** True when a server could bind {@code host:port} now. */
  public static boolean isFree(InetAddress host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Like the servers replicas run: connections of a previous process in TIME_WAIT must not
      // make the port look taken.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
