package dev.sluice.router.internal;

/**
 * Reads what routing needs from a parsed request head, in place in the parser's scratch array: the
 * host without its port, the path, cookies, query parameters; plus the MurmurHash3 of a value.
 * Nothing here allocates.
 */
final class RequestFields {

  private RequestFields() {}

  /**
   * Returns the host of the request as {@code start << 32 | end} in {@link HeadParser#bytes()}
   * (port and IPv6 brackets kept out), from an absolute-form target or else the {@code Host} field;
   * -1 when there is none.
   */
  static long host(HeadParser p) {
    byte[] s = p.bytes();
    int from;
    int to;
    int ts = p.targetStart();
    int authority = authorityStart(s, ts, p.targetEnd());
    if (authority >= 0) {
      from = authority;
      to = authority;
      while (to < p.targetEnd() && s[to] != '/' && s[to] != '?') {
        to++;
      }
    } else {
      int h = p.hostField();
      if (h < 0) {
        return -1;
      }
      from = p.valueStart(h);
      to = p.valueEnd(h);
    }
    if (from < to && s[from] == '[') {
      int close = from;
      while (close < to && s[close] != ']') {
        close++;
      }
      return (long) (from + 1) << 32 | close;
    }
    int colon = from;
    while (colon < to && s[colon] != ':') {
      colon++;
    }
    return (long) from << 32 | colon;
  }

  /** Returns where the authority of an absolute-form target starts, or -1 (origin form). */
  private static int authorityStart(byte[] s, int ts, int te) {
    if (te - ts < 8 || s[ts] == '/') {
      return -1;
    }
    for (int i = ts; i < te - 2; i++) {
      if (s[i] == ':') {
        return s[i + 1] == '/' && s[i + 2] == '/' ? i + 3 : -1;
      }
      if (s[i] == '/') {
        return -1;
      }
    }
    return -1;
  }

  /**
   * Returns where the path starts in {@link HeadParser#bytes()} (after an absolute form's host).
   */
  static int pathStart(HeadParser p) {
    byte[] s = p.bytes();
    int ts = p.targetStart();
    int te = p.targetEnd();
    int authority = authorityStart(s, ts, te);
    if (authority < 0) {
      return ts;
    }
    int i = authority;
    while (i < te && s[i] != '/' && s[i] != '?') {
      i++;
    }
    return i;
  }

  /** Returns where the path ends: at {@code ?} or the end of the target. */
  static int pathEnd(HeadParser p, int pathStart) {
    byte[] s = p.bytes();
    int te = p.targetEnd();
    int i = pathStart;
    while (i < te && s[i] != '?' && s[i] != '#') {
      i++;
    }
    return i;
  }

  /**
   * Returns whether the path {@code s[from, to)} starts with {@code prefix} at a segment boundary:
   * the prefix ends with '/', or the path ends or continues with '/' or '?' right after it.
   */
  static boolean hasPathPrefix(byte[] s, int from, int to, byte[] prefix) {
    int len = prefix.length;
    if (to - from < len) {
      // A path without its trailing slash: "/api" for the prefix "/api/".
      return len > 1
          && prefix[len - 1] == '/'
          && to - from == len - 1
          && regionEquals(s, from, prefix, 0, len - 1);
    }
    if (!regionEquals(s, from, prefix, 0, len)) {
      return false;
    }
    return len == 0 || prefix[len - 1] == '/' || to - from == len || s[from + len] == '/';
  }

  /** Returns whether {@code s[from, to)} equals a lower-case name, ignoring ASCII case. */
  static boolean equalsIgnoreCase(byte[] s, int from, int to, byte[] lower) {
    if (to - from != lower.length) {
      return false;
    }
    for (int i = 0; i < lower.length; i++) {
      byte c = s[from + i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns whether the host {@code s[from, to)} matches a lower-case host name, or a {@code *.}
   * wildcard given as its suffix (".example.com").
   */
  static boolean hostMatches(byte[] s, int from, int to, byte[] lowerHost, boolean wildcard) {
    if (!wildcard) {
      return equalsIgnoreCase(s, from, to, lowerHost);
    }
    int len = lowerHost.length;
    return to - from > len && equalsIgnoreCase(s, to - len, to, lowerHost);
  }

  static boolean regionEquals(byte[] a, int at, byte[] b, int bt, int len) {
    return java.util.Arrays.equals(a, at, at + len, b, bt, bt + len);
  }

  /**
   * Finds a cookie in one {@code Cookie} field value {@code s[from, to)}: returns its value as
   * {@code start << 32 | end} (surrounding double quotes removed), or -1.
   */
  static long cookie(byte[] s, int from, int to, byte[] name) {
    int i = from;
    while (i < to) {
      while (i < to && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) {
        i++;
      }
      int ns = i;
      while (i < to && s[i] != '=' && s[i] != ';') {
        i++;
      }
      int ne = i;
      while (ne > ns && (s[ne - 1] == ' ' || s[ne - 1] == '\t')) {
        ne--;
      }
      if (i < to && s[i] == '=') {
        int vs = ++i;
        while (i < to && s[i] != ';') {
          i++;
        }
        int ve = i;
        while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t')) {
          ve--;
        }
        while (vs < ve && (s[vs] == ' ' || s[vs] == '\t')) {
          vs++;
        }
        if (ne - ns == name.length && regionEquals(s, ns, name, 0, name.length)) {
          if (ve - vs >= 2 && s[vs] == '"' && s[ve - 1] == '"') {
            vs++;
            ve--;
          }
          return (long) vs << 32 | ve;
        }
      }
    }
    return -1;
  }

  /**
   * Finds a cookie in all {@code Cookie} fields of a head; see {@link #cookie(byte[], int, int,
   * byte[])}.
   */
  static long cookie(HeadParser p, byte[] name) {
    for (int f = p.findField(COOKIE, 0); f >= 0; f = p.findField(COOKIE, f + 1)) {
      long v = cookie(p.bytes(), p.valueStart(f), p.valueEnd(f), name);
      if (v >= 0) {
        return v;
      }
    }
    return -1;
  }

  static final byte[] COOKIE = {'c', 'o', 'o', 'k', 'i', 'e'};

  /**
   * Percent-decodes {@code s[from, to)} ({@code +} as space) into {@code out} from 0; returns the
   * decoded length. {@code out} must hold {@code to - from} bytes. Malformed escapes stay as they
   * are.
   */
  static int decode(byte[] s, int from, int to, byte[] out) {
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = s[i];
      if (c == '+') {
        out[n++] = ' ';
      } else if (c == '%' && i + 2 < to && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
        out[n++] = (byte) (hex(s[i + 1]) << 4 | hex(s[i + 2]));
        i += 2;
      } else {
        out[n++] = c;
      }
    }
    return n;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    int c = b | 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  /**
   * MurmurHash3 x86 32-bit of {@code s[from, to)} (Austin Appleby's public-domain algorithm,
   * reference {@code MurmurHash3_x86_32}), so that sticky assignment can be reproduced by other
   * tools: "hello" with seed 0 is 0x248bfa47.
   */
  static int murmur3(byte[] s, int from, int to, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int len = to - from;
    int blocks = from + (len & ~3);
    for (int i = from; i < blocks; i += 4) {
      int k = s[i] & 0xff | (s[i + 1] & 0xff) << 8 | (s[i + 2] & 0xff) << 16 | s[i + 3] << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (len & 3) {
      case 3:
        k ^= (s[blocks + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (s[blocks + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= s[blocks] & 0xff;
        k *= c1;
        k = Integer.rotateLeft(k, 15);
        k *= c2;
        h ^= k;
      // fall through
      default:
        break;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
