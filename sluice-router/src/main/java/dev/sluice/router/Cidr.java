package dev.sluice.router;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A block of IP addresses in CIDR notation, such as {@code 10.0.0.0/8} or {@code fd00::/8}: the
 * trusted client sources of a {@link RouteRule}.
 *
 * <p>An IPv4 block also contains the IPv4-mapped IPv6 form of its addresses ({@code
 * ::ffff:10.1.2.3}), as a dual-stack socket reports IPv4 clients.
 *
 * @param network the first address of the block (host bits zero)
 * @param prefixLength the number of leading bits that are fixed: 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

  /** Validates and clears the host bits of {@code network}. */
  public Cidr {
    Objects.requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "cidr "
              + network.getHostAddress()
              + "/"
              + prefixLength
              + ": prefix length "
              + prefixLength
              + " (expected: 0.."
              + bits
              + ")");
    }
    byte[] a = network.getAddress();
    for (int i = 0; i < a.length; i++) {
      int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
      a[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      network = InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses {@code address/prefix} or a single address (a block of one).
   *
   * @throws IllegalArgumentException naming the text when it is not a literal address with an
   *     optional prefix length (host names are refused: they would need a DNS lookup)
   */
  public static Cidr parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    if (addr.isEmpty()
        || !addr.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      throw new IllegalArgumentException(
          "cidr: '"
              + text
              + "' (expected: an IP address with an optional /prefix, e.g. 10.0.0.0/8)");
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(addr);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "cidr: '"
              + text
              + "' (expected: an IP address with an optional /prefix, e.g. 10.0.0.0/8)",
          e);
    }
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "cidr: '" + text + "' (expected: a prefix length 0.." + bits + " after /)", e);
      }
    }
    return new Cidr(a, prefix);
  }

  /** Returns whether the address is in this block. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** Returns whether the raw address (4 or 16 bytes) is in this block. */
  public boolean contains(byte[] address) {
    byte[] net = network.getAddress();
    byte[] a = address;
    if (a.length == 16 && net.length == 4 && isV4Mapped(a)) {
      a = java.util.Arrays.copyOfRange(a, 12, 16);
    }
    if (a.length != net.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != net[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[full] & mask) == (net[full] & mask);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
