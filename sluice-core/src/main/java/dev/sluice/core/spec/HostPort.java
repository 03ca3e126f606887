package dev.sluice.core.spec;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A listen or connect address, {@code host:port}; IPv6 hosts are written in brackets.
 *
 * @param host a host name or IP literal (without brackets)
 * @param port 0..65535; 0 asks the system for a free port
 */
public record HostPort(String host, int port) {

  public HostPort {
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw new IllegalArgumentException("bad address " + host + ":" + port);
    }
  }

  /** Parses {@code 127.0.0.1:8080}, {@code localhost:80}, {@code [::1]:8080}; null if malformed. */
  public static @Nullable HostPort parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int end = text.indexOf("]:");
      if (end < 0) {
        return null;
      }
      host = text.substring(1, end);
      port = text.substring(end + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        return null;
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (host.isEmpty()
        || port.isEmpty()
        || port.length() > 5
        || !port.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int p = Integer.parseInt(port);
    return p > 65535 ? null : new HostPort(host, p);
  }

  /** The unresolved socket address. */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** True for loopback hosts, the only ones Sluice binds to without a warning. */
  public boolean isLoopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
