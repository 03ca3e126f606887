package dev.sluice.runtime.process;

/**
 * Ports the supervisor may give to replicas, {@code first..last} inclusive.
 *
 * <p>Without a range the kernel picks each port (bind port 0), from its ephemeral range, the same
 * range outgoing connections take their local ports from. On a busy host (the router itself opens
 * many upstream connections) an outgoing connection may then take the port of a replica that is
 * between a crash and its restart. A range below the ephemeral one ({@code
 * /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 on Linux by default) avoids that.
 */
public record PortRange(int first, int last) {

  /** Checks the bounds; throws {@link IllegalArgumentException} naming the bad one. */
  public PortRange {
    if (first < 1 || first > 65535) {
      throw new IllegalArgumentException("ports.first: " + first + " (expected: 1..65535)");
    }
    if (last < first || last > 65535) {
      throw new IllegalArgumentException(
          "ports.last: " + last + " (expected: " + first + "..65535)");
    }
  }

  /** True when {@code port} is in the range. */
  public boolean contains(int port) {
    return port >= first && port <= last;
  }
}
