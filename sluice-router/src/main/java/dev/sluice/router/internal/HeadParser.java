package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * A strict HTTP/1.1 message-head parser for a proxy: it finds a head in the connection's bytes,
 * validates it, learns what the proxy needs (framing, persistence, hop-by-hop fields, {@code Host},
 * {@code X-Forwarded-For}) and writes the head out again with the proxy's edits, copying header
 * lines as bytes instead of decoding them into objects and encoding them again.
 *
 * <p>{@link #parse} copies the bytes at the buffer's reader index into a scratch array (the first 2
 * KiB, more only for a larger head) and reads the head in one pass with table lookups, checking it
 * (RFC 9112 sections 2-6 and RFC 9110 section 5): a start line of exactly three parts and version
 * 1.0 or 1.1; field names of token characters directly followed by a colon (no whitespace before
 * it, no obs-fold); field values without control characters; every line ended by CRLF (a bare LF or
 * CR is an error); at most one {@code Host}, at most one {@code Content-Length} of digits only,
 * {@code Transfer-Encoding} only as plain {@code chunked}, never together with {@code
 * Content-Length} in a request, never in an HTTP/1.0 request; size limits. Each check returns the
 * status code a client gets (400, 414, 431, 501, 505), so further rules are one more line each. A
 * head that arrives in pieces is looked for with {@link #findHead}, resumably, until it is whole.
 *
 * <p>One parser serves all connections of an event loop: its results are valid until its next
 * {@code parse}, and callers take what they need right after parsing.
 *
 * <p>This is a deliberately large class, part of the router's hot spot: reading and writing share
 * one table of line positions in one scratch array, and keeping them together keeps that table out
 * of accessors and copies on the path of every request.
 */
final class HeadParser {

  /** Internal result: fine, go on. */
  private static final int OK = 0;

  /** Internal result: the bytes end before the head does. */
  private static final int INCOMPLETE = -1;

  /** How many bytes a first parse copies; most heads fit. */
  private static final int FIRST_WINDOW = 2048;

  /** Longest request line (then 414), as nginx's default large header buffer. */
  static final int MAX_REQUEST_LINE = 8192;

  /** Longest request head (then 431). */
  static final int MAX_REQUEST_HEAD = 32768;

  /** Longest response head (then 502). */
  static final int MAX_RESPONSE_HEAD = 65536;

  /** Most header fields in a request head (then 431). */
  static final int MAX_REQUEST_FIELDS = 100;

  /** Most header fields in a response head (then 502). */
  static final int MAX_RESPONSE_FIELDS = 256;

  // What the proxy needs to know about a field, found by its name.
  static final byte OTHER = 0;
  static final byte CONNECTION = 1;
  static final byte HOP_BY_HOP = 2;
  static final byte CONTENT_LENGTH = 3;
  static final byte TRANSFER_ENCODING = 4;
  static final byte HOST = 5;
  static final byte X_FORWARDED_FOR = 6;
  static final byte X_FORWARDED = 7;
  static final byte UPGRADE = 8;

  /** {@code Sluice-Flag-*}: set by the router for flags evaluated at the edge, never by clients. */
  static final byte SLUICE_FLAG = 9;

  // Additions to a response head (flags of writeResponseHead).
  static final int ADD_CLOSE = 1;
  static final int ADD_KEEP_ALIVE = 2;
  static final int ADD_CHUNKED = 4;

  /** Adds the lines set with {@link #extra(byte[])}. */
  static final int ADD_EXTRA = 8;

  // Request methods the router tells apart.
  static final int METHOD_OTHER = 0;
  static final int METHOD_GET = 1;
  static final int METHOD_HEAD = 2;
  static final int METHOD_IDEMPOTENT = 3;

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte SP = ' ';
  private static final byte HT = '\t';

  private static final boolean[] TCHAR = new boolean[256];
  private static final boolean[] FIELD_CHAR = new boolean[256];
  private static final boolean[] TARGET_CHAR = new boolean[256];

  static {
    for (int c = 0; c < 256; c++) {
      boolean alnum = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
      TCHAR[c] = alnum || c < 128 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      // VCHAR, obs-text, SP and HTAB: what a field value may hold.
      FIELD_CHAR[c] = c >= 0x20 && c != 0x7f || c == HT;
      TARGET_CHAR[c] = c > 0x20 && c != 0x7f;
    }
  }

  private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
  private static final byte[] CRLF = ascii("\r\n");
  private static final byte[] ADDED_CLOSE = ascii("Connection: close\r\n");
  private static final byte[] ADDED_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
  private static final byte[] ADDED_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
  private static final byte[] ADDED_UPGRADE = ascii("Connection: upgrade\r\n");
  private static final byte[] XFF = ascii("X-Forwarded-For: ");
  private static final byte[] XFF_SEPARATOR = ascii(", ");
  private static final byte[] XFP_HTTP = ascii("X-Forwarded-Proto: http\r\n");
  private static final byte[] XFP_HTTPS = ascii("X-Forwarded-Proto: https\r\n");
  private static final byte[] XFH = ascii("X-Forwarded-Host: ");

  private static final byte[] N_TE = ascii("te");
  private static final byte[] N_HOST = ascii("host");
  private static final byte[] N_TRAILER = ascii("trailer");
  private static final byte[] N_UPGRADE = ascii("upgrade");
  private static final byte[] N_CONNECTION = ascii("connection");
  private static final byte[] N_KEEP_ALIVE = ascii("keep-alive");
  private static final byte[] N_CONTENT_LENGTH = ascii("content-length");
  private static final byte[] N_X_FORWARDED_FOR = ascii("x-forwarded-for");
  private static final byte[] N_X_FORWARDED_HOST = ascii("x-forwarded-host");
  private static final byte[] N_X_FORWARDED_PROTO = ascii("x-forwarded-proto");
  private static final byte[] N_TRANSFER_ENCODING = ascii("transfer-encoding");
  private static final byte[] N_PROXY_ = ascii("proxy-");
  private static final byte[] N_SLUICE_FLAG_ = ascii("sluice-flag-");
  private static final byte[] T_CLOSE = ascii("close");
  private static final byte[] T_KEEP_ALIVE = ascii("keep-alive");
  private static final byte[] T_CHUNKED = ascii("chunked");
  private static final byte[] T_UPGRADE = ascii("upgrade");
  private static final byte[] T_WEBSOCKET = ascii("websocket");

  private byte[] s = new byte[4096];
  private byte[] o = new byte[4096];
  private int n;

  // Where to go on with an incomplete head: 1 + bytes known to hold no end of head (0: none).
  private int hint;

  // Where the line parsing stopped when the bytes ran out.
  private int incompleteLine;

  // The start line.
  private int startLineEnd;
  private int targetStart;
  private int targetEnd;
  private int versionStart;
  private int version;
  private int method;
  private int status;

  // Header fields, in order: line start, name end (the colon), value start and end (trimmed).
  private int fields;
  private int[] lineStart = new int[32];
  private int[] nameEnd = new int[32];
  private int[] valueStart = new int[32];
  private int[] valueEnd = new int[32];
  private byte[] kind = new byte[32];
  private boolean[] drop = new boolean[32];

  // Names listed in Connection (start, end pairs), dropped too.
  private int tokens;
  private int[] token = new int[16];

  // What the fields say.
  private long contentLength;
  private boolean chunked;
  private boolean close;
  private boolean keepAliveToken;
  private boolean upgradeToken;
  private int upgradeField;
  private boolean keptUpgrade;
  private int host;
  private int forwardedFor;

  // Header lines the next response head gets (ADD_EXTRA), each ending in CRLF.
  private byte[] extra = new byte[0];

  /**
   * Finds, checks and reads the head at the buffer's reader index; the buffer is not changed,
   * except that empty lines before a request line are skipped (RFC 9112 2.2).
   *
   * <p>The usual head arrives whole and is read in one pass over a copy of its bytes. When it is
   * incomplete, the next call for the same head continues with a cheap scan for its end from where
   * this one stopped (so a head that trickles in costs linear time), and parses once that end is
   * there.
   *
   * @param hint 0 for a new head, else {@link #hint()} after the previous call returned 0
   * @return the head's length in bytes (the reader index is where it starts); 0 when more bytes are
   *     needed; or the negated status code of the error (for requests -400, -414, -431, -501 or
   *     -505; for responses any negative value means an invalid response)
   */
  int parse(ByteBuf b, int hint, boolean request) {
    if (request) {
      int ri = b.readerIndex();
      while (b.writerIndex() - ri >= 2 && b.getByte(ri) == CR && b.getByte(ri + 1) == LF) {
        ri += 2;
      }
      b.readerIndex(ri);
    }
    int max = request ? MAX_REQUEST_HEAD : MAX_RESPONSE_HEAD;
    if (hint > 0) {
      int len = findHead(b, hint - 1, request);
      if (len <= 0) {
        return len;
      }
      copy(b, 0, len);
      int r = parseCopy(len, request);
      return r > 0 ? r : r == INCOMPLETE ? -(request ? 400 : 502) : r;
    }
    int avail = b.readableBytes();
    int window = Math.min(avail, Math.min(max, FIRST_WINDOW));
    copy(b, 0, window);
    while (true) {
      int r = parseCopy(window, request);
      if (r != INCOMPLETE) {
        return r;
      }
      if (window == avail || window == max) {
        break;
      }
      int more = Math.min(avail, Math.min(max, window * 4));
      copy(b, window, more);
      window = more;
    }
    if (request && startLineEnd == 0 && window > MAX_REQUEST_LINE) {
      return -414;
    }
    if (window >= max) {
      return request ? -431 : -502;
    }
    this.hint = incompleteLine + 1;
    return 0;
  }

  /** Returns where to go on with this head, for the next {@link #parse} after one returned 0. */
  int hint() {
    return hint;
  }

  private void copy(ByteBuf b, int from, int to) {
    if (s.length <= to) {
      s = java.util.Arrays.copyOf(s, Math.max(to + 1, s.length * 2));
    }
    b.getBytes(b.readerIndex() + from, s, from, to - from);
  }

  /**
   * Parses the first {@code length} copied bytes; returns the head's length, INCOMPLETE, or a
   * negated status code.
   */
  private int parseCopy(int length, boolean request) {
    // A zero after the bytes stops every scanning loop: it is no token, target or value byte.
    s[length] = 0;
    n = length;
    fields = 0;
    tokens = 0;
    startLineEnd = 0;
    incompleteLine = 0;
    contentLength = -1;
    chunked = false;
    close = false;
    keepAliveToken = false;
    upgradeToken = false;
    upgradeField = -1;
    keptUpgrade = false;
    host = -1;
    forwardedFor = 0;
    int r = request ? requestLine() : statusLine();
    if (r == OK) {
      r = fieldLines(request);
    }
    if (r != OK) {
      return r == INCOMPLETE ? INCOMPLETE : -(request ? r : 502);
    }
    if (request) {
      if (startLineEnd - 2 > MAX_REQUEST_LINE) {
        return -414;
      }
      if (chunked && (contentLength >= 0 || version == 10)) {
        // RFC 9112 6.1: both framings, or chunked in HTTP/1.0, are a smuggling risk.
        return -400;
      }
      if (version == 11 && host < 0) {
        return -400;
      }
    } else if (version == 10 && chunked) {
      return -502;
    }
    markDrops();
    return n;
  }

  /**
   * Looks for the end of a head that starts at the buffer's reader index.
   *
   * @param from bytes after the reader index already known to hold no end of head
   * @return the head's length in bytes; 0 when more bytes are needed (see {@link #hint()}); or the
   *     negated status code of the error (-400 for a bare LF, -414 or -431 past the limits)
   */
  int findHead(ByteBuf b, int from, boolean request) {
    int start = b.readerIndex();
    int end = b.writerIndex();
    int maxHead = request ? MAX_REQUEST_HEAD : MAX_RESPONSE_HEAD;
    int pos = start + from;
    while (true) {
      int limit = Math.min(end, start + maxHead);
      int lf = pos < limit ? b.indexOf(pos, limit, LF) : -1;
      if (lf < 0) {
        if (pos == start && end - start > MAX_REQUEST_LINE && request) {
          return -414;
        }
        if (end - start >= maxHead) {
          return request ? -431 : -502;
        }
        this.hint = pos - start + 1;
        return 0;
      }
      if (lf == pos || b.getByte(lf - 1) != CR) {
        return request ? -400 : -502;
      }
      if (pos == start && request && lf - start > MAX_REQUEST_LINE) {
        return -414;
      }
      if (lf == pos + 1) {
        return pos == start ? (request ? -400 : -502) : lf + 1 - start;
      }
      pos = lf + 1;
    }
  }

  private int requestLine() {
    byte[] s = this.s;
    if (n == 1 && s[0] == CR) {
      // The first half of an empty line before the request line.
      return INCOMPLETE;
    }
    int i = 0;
    while (TCHAR[s[i] & 0xff]) {
      i++;
    }
    if (i == n) {
      return INCOMPLETE;
    }
    if (i == 0 || s[i] != SP) {
      return 400;
    }
    method = methodOf(i);
    int target = ++i;
    while (TARGET_CHAR[s[i] & 0xff]) {
      i++;
    }
    if (i == n) {
      return INCOMPLETE;
    }
    if (i == target || s[i] != SP) {
      return 400;
    }
    targetStart = target;
    targetEnd = i;
    versionStart = ++i;
    if (i + 10 > n) {
      return INCOMPLETE;
    }
    int v = versionAt(i);
    if (v < 0) {
      return -v;
    }
    if (s[i + 8] != CR || s[i + 9] != LF) {
      return 400;
    }
    version = v;
    startLineEnd = i + 10;
    return OK;
  }

  private int statusLine() {
    byte[] s = this.s;
    if (n < 14) {
      // Too short for "HTTP/1.1 200" and CRLF: wait, unless a line has already ended.
      for (int i = 0; i < n; i++) {
        if (s[i] == LF) {
          return 502;
        }
      }
      return INCOMPLETE;
    }
    int v = versionAt(0);
    if (v < 0 || s[8] != SP) {
      return 502;
    }
    version = v;
    versionStart = 0;
    int d0 = s[9] - '0';
    int d1 = s[10] - '0';
    int d2 = s[11] - '0';
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      return 502;
    }
    status = d0 * 100 + d1 * 10 + d2;
    int i = 12;
    if (s[i] == SP) {
      i++;
      while (FIELD_CHAR[s[i] & 0xff]) {
        i++;
      }
    }
    if (i + 1 >= n) {
      return INCOMPLETE;
    }
    if (s[i] != CR || s[i + 1] != LF) {
      return 502;
    }
    startLineEnd = i + 2;
    return OK;
  }

  /** Returns 10 or 11 for HTTP/1.0 or 1.1 at i, -505 for another version, -400 for no version. */
  private int versionAt(int i) {
    byte[] s = this.s;
    if (s[i] != 'H'
        || s[i + 1] != 'T'
        || s[i + 2] != 'T'
        || s[i + 3] != 'P'
        || s[i + 4] != '/'
        || s[i + 6] != '.') {
      return -400;
    }
    int major = s[i + 5] - '0';
    int minor = s[i + 7] - '0';
    if (major < 0 || major > 9 || minor < 0 || minor > 9) {
      return -400;
    }
    if (major != 1 || minor > 1) {
      return -505;
    }
    return minor == 0 ? 10 : 11;
  }

  private int methodOf(int len) {
    byte[] s = this.s;
    return switch (len) {
      case 3 ->
          s[0] == 'G' && s[1] == 'E' && s[2] == 'T'
              ? METHOD_GET
              : s[0] == 'P' && s[1] == 'U' && s[2] == 'T' ? METHOD_IDEMPOTENT : METHOD_OTHER;
      case 4 ->
          s[0] == 'H' && s[1] == 'E' && s[2] == 'A' && s[3] == 'D' ? METHOD_HEAD : METHOD_OTHER;
      case 6 -> s[0] == 'D' && startsWith(0, "DELETE") ? METHOD_IDEMPOTENT : METHOD_OTHER;
      case 7 -> s[0] == 'O' && startsWith(0, "OPTIONS") ? METHOD_IDEMPOTENT : METHOD_OTHER;
      default -> METHOD_OTHER;
    };
  }

  private boolean startsWith(int at, String text) {
    for (int k = 0; k < text.length(); k++) {
      if (s[at + k] != text.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Reads field lines up to the empty line; on success n becomes the head's length. */
  private int fieldLines(boolean request) {
    byte[] s = this.s;
    int maxFields = request ? MAX_REQUEST_FIELDS : MAX_RESPONSE_FIELDS;
    int n = this.n;
    int i = startLineEnd;
    while (true) {
      incompleteLine = i;
      if (i + 1 >= n) {
        return INCOMPLETE;
      }
      if (s[i] == CR) {
        if (s[i + 1] != LF) {
          return 400;
        }
        this.n = i + 2;
        return OK;
      }
      if (fields == maxFields) {
        return 431;
      }
      int ls = i;
      while (TCHAR[s[i] & 0xff]) {
        i++;
      }
      // An empty name covers obs-fold (a line starting with whitespace); a name must touch its
      // colon (RFC 9112 5.1).
      if (i == ls || s[i] != ':') {
        return i == n ? INCOMPLETE : 400;
      }
      int ne = i++;
      while (s[i] == SP || s[i] == HT) {
        i++;
      }
      int vs = i;
      while (FIELD_CHAR[s[i] & 0xff]) {
        i++;
      }
      if (i + 1 >= n) {
        return INCOMPLETE;
      }
      if (s[i] != CR || s[i + 1] != LF) {
        return 400;
      }
      int ve = i;
      while (ve > vs && (s[ve - 1] == SP || s[ve - 1] == HT)) {
        ve--;
      }
      i += 2;
      int r = field(ls, ne, vs, ve);
      if (r != OK) {
        return r;
      }
    }
  }

  private int field(int ls, int ne, int vs, int ve) {
    int f = fields++;
    if (f == lineStart.length) {
      grow();
    }
    lineStart[f] = ls;
    nameEnd[f] = ne;
    valueStart[f] = vs;
    valueEnd[f] = ve;
    byte k = kindOf(ls, ne - ls);
    kind[f] = k;
    switch (k) {
      case CONTENT_LENGTH -> {
        if (contentLength >= 0 || vs == ve || ve - vs > 18) {
          return 400;
        }
        long v = 0;
        for (int i = vs; i < ve; i++) {
          int d = s[i] - '0';
          if (d < 0 || d > 9) {
            return 400;
          }
          v = v * 10 + d;
        }
        contentLength = v;
      }
      case TRANSFER_ENCODING -> {
        if (chunked || !equalsLower(vs, ve - vs, T_CHUNKED)) {
          // Only plain chunked: other codings are for the end points, not a proxy.
          return 501;
        }
        chunked = true;
      }
      case HOST -> {
        if (host >= 0) {
          return 400;
        }
        host = f;
      }
      case CONNECTION -> connectionTokens(vs, ve);
      case UPGRADE -> {
        if (upgradeField < 0 && ve > vs) {
          upgradeField = f;
        }
      }
      case X_FORWARDED_FOR -> forwardedFor++;
      default -> {}
    }
    return OK;
  }

  private void connectionTokens(int vs, int ve) {
    byte[] s = this.s;
    int i = vs;
    while (i < ve) {
      while (i < ve && (s[i] == ',' || s[i] == SP || s[i] == HT)) {
        i++;
      }
      int ts = i;
      while (i < ve && s[i] != ',') {
        i++;
      }
      int te = i;
      while (te > ts && (s[te - 1] == SP || s[te - 1] == HT)) {
        te--;
      }
      if (te == ts) {
        continue;
      }
      if (equalsLower(ts, te - ts, T_CLOSE)) {
        close = true;
      } else if (equalsLower(ts, te - ts, T_KEEP_ALIVE)) {
        keepAliveToken = true;
      } else {
        upgradeToken |= equalsLower(ts, te - ts, T_UPGRADE);
        if (tokens * 2 == token.length) {
          token = java.util.Arrays.copyOf(token, token.length * 2);
        }
        token[tokens * 2] = ts;
        token[tokens * 2 + 1] = te;
        tokens++;
      }
    }
  }

  private byte kindOf(int at, int len) {
    if (len > N_SLUICE_FLAG_.length
        && (s[at] | 0x20) == 's'
        && equalsLower(at, N_SLUICE_FLAG_.length, N_SLUICE_FLAG_)) {
      return SLUICE_FLAG;
    }
    switch (len) {
      case 2:
        return equalsLower(at, len, N_TE) ? HOP_BY_HOP : OTHER;
      case 4:
        return equalsLower(at, len, N_HOST) ? HOST : OTHER;
      case 7:
        if (equalsLower(at, len, N_UPGRADE)) {
          return UPGRADE;
        }
        return equalsLower(at, len, N_TRAILER) ? HOP_BY_HOP : OTHER;
      case 10:
        if (equalsLower(at, len, N_CONNECTION)) {
          return CONNECTION;
        }
        return equalsLower(at, len, N_KEEP_ALIVE) ? HOP_BY_HOP : isProxyField(at);
      case 14:
        return equalsLower(at, len, N_CONTENT_LENGTH) ? CONTENT_LENGTH : isProxyField(at);
      case 15:
        return equalsLower(at, len, N_X_FORWARDED_FOR) ? X_FORWARDED_FOR : isProxyField(at);
      case 16:
        return equalsLower(at, len, N_X_FORWARDED_HOST) ? X_FORWARDED : isProxyField(at);
      case 17:
        if (equalsLower(at, len, N_TRANSFER_ENCODING)) {
          return TRANSFER_ENCODING;
        }
        return equalsLower(at, len, N_X_FORWARDED_PROTO) ? X_FORWARDED : isProxyField(at);
      default:
        return len > 6 ? isProxyField(at) : OTHER;
    }
  }

  private byte isProxyField(int at) {
    // Proxy-Authorization, Proxy-Connection and friends are for this hop only.
    return equalsLower(at, N_PROXY_.length, N_PROXY_) ? HOP_BY_HOP : OTHER;
  }

  /** Compares {@code len} bytes at {@code at} with a lower-case constant, ignoring ASCII case. */
  private boolean equalsLower(int at, int len, byte[] lower) {
    if (len != lower.length) {
      return false;
    }
    byte[] s = this.s;
    for (int k = 0; k < len; k++) {
      // Setting bit 0x20 lower-cases letters; no other token character maps onto a letter or '-'.
      if ((s[at + k] | 0x20) != lower[k]) {
        return false;
      }
    }
    return true;
  }

  private void markDrops() {
    for (int f = 0; f < fields; f++) {
      byte k = kind[f];
      boolean d = k == CONNECTION || k == HOP_BY_HOP || k == UPGRADE;
      if (!d && tokens > 0 && k != TRANSFER_ENCODING) {
        // A field named in Connection is hop-by-hop too (RFC 9110 7.6.1); framing stays.
        int len = nameEnd[f] - lineStart[f];
        for (int t = 0; t < tokens && !d; t++) {
          d = sameName(lineStart[f], len, token[2 * t], token[2 * t + 1] - token[2 * t]);
        }
      }
      drop[f] = d;
    }
  }

  private boolean sameName(int a, int alen, int b, int blen) {
    if (alen != blen) {
      return false;
    }
    for (int k = 0; k < alen; k++) {
      int x = s[a + k];
      int y = s[b + k];
      if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) {
        return false;
      }
    }
    return true;
  }

  private void grow() {
    int m = lineStart.length * 2;
    lineStart = java.util.Arrays.copyOf(lineStart, m);
    nameEnd = java.util.Arrays.copyOf(nameEnd, m);
    valueStart = java.util.Arrays.copyOf(valueStart, m);
    valueEnd = java.util.Arrays.copyOf(valueEnd, m);
    kind = java.util.Arrays.copyOf(kind, m);
    drop = java.util.Arrays.copyOf(drop, m);
  }

  // ---- what the head says --------------------------------------------------------------------

  /**
   * Returns the scratch array the head was read into: the positions below index it. Valid until the
   * next {@link #parse}.
   */
  byte[] bytes() {
    return s;
  }

  /** Returns the length of the head in {@link #bytes()}. */
  int length() {
    return n;
  }

  /** Returns where the request target starts in {@link #bytes()}. */
  int targetStart() {
    return targetStart;
  }

  /** Returns where the request target ends (exclusive) in {@link #bytes()}. */
  int targetEnd() {
    return targetEnd;
  }

  /** Returns the length of the request method (it starts at 0). */
  int methodLength() {
    return targetStart - 1;
  }

  /** Returns the index of the {@code Host} field, or -1. */
  int hostField() {
    return host;
  }

  /** Returns the number of header fields. */
  int fieldCount() {
    return fields;
  }

  /** Returns where field {@code f}'s name starts. */
  int nameStart(int f) {
    return lineStart[f];
  }

  /** Returns where field {@code f}'s name ends (the colon). */
  int nameEnd(int f) {
    return nameEnd[f];
  }

  /** Returns where field {@code f}'s value starts (leading whitespace skipped). */
  int valueStart(int f) {
    return valueStart[f];
  }

  /** Returns where field {@code f}'s value ends (trailing whitespace cut). */
  int valueEnd(int f) {
    return valueEnd[f];
  }

  /**
   * Returns the index of the first field at or after {@code from} whose name is {@code lowerName}
   * (compared ignoring ASCII case; {@code lowerName} is lower-case), or -1.
   */
  int findField(byte[] lowerName, int from) {
    int len = lowerName.length;
    for (int f = from; f < fields; f++) {
      if (nameEnd[f] - lineStart[f] == len && equalsLower(lineStart[f], len, lowerName)) {
        return f;
      }
    }
    return -1;
  }

  /** Sets the header lines (each ending in CRLF) that {@link #ADD_EXTRA} adds to a response. */
  void extra(byte[] lines) {
    extra = lines;
  }

  /** Returns 10 or 11: HTTP/1.0 or HTTP/1.1. */
  int version() {
    return version;
  }

  /** Returns one of the METHOD_ constants (requests). */
  int method() {
    return method;
  }

  /** Returns the status code (responses). */
  int status() {
    return status;
  }

  /** Returns the Content-Length, or -1 when there is none. */
  long contentLength() {
    return contentLength;
  }

  /** Returns whether the message body is chunked. */
  boolean chunked() {
    return chunked;
  }

  /** Returns whether the sender keeps the connection open after this message (RFC 9112 9.3). */
  boolean keepAlive() {
    return version == 11 ? !close : keepAliveToken && !close;
  }

  /**
   * Returns whether this HTTP/1.1 message asks for (a request) or announces (a 101 response) a
   * protocol upgrade: an {@code Upgrade} field with a value, and {@code upgrade} among the {@code
   * Connection} options (RFC 9110 7.8: without that option, or in HTTP/1.0, Upgrade is ignored).
   */
  boolean upgrade() {
    return version == 11 && upgradeToken && upgradeField >= 0;
  }

  /**
   * Returns whether the first protocol of the {@code Upgrade} field is {@code websocket} (RFC 6455
   * 4.1), ignoring case; false when there is no Upgrade field.
   */
  boolean upgradeToWebSocket() {
    if (upgradeField < 0) {
      return false;
    }
    int vs = valueStart[upgradeField];
    int ve = valueEnd[upgradeField];
    int end = vs;
    while (end < ve && s[end] != ',' && s[end] != '/' && s[end] != SP && s[end] != HT) {
      end++;
    }
    return equalsLower(vs, end - vs, T_WEBSOCKET);
  }

  /** Returns whether the message has an {@code Upgrade} field with a value. */
  boolean hasUpgradeField() {
    return upgradeField >= 0;
  }

  /**
   * Keeps the {@code Upgrade} fields in the output (they are hop-by-hop and dropped otherwise) and
   * adds {@code Connection: upgrade}, for a request that is offered to the upstream as an upgrade
   * and for the 101 response that accepts it.
   */
  void keepUpgrade() {
    keptUpgrade = true;
    for (int f = 0; f < fields; f++) {
      if (kind[f] == UPGRADE) {
        drop[f] = false;
      }
    }
  }

  /** Drops the Content-Length field from the output (a response framed by chunked as well). */
  void dropContentLength() {
    setDrop(CONTENT_LENGTH);
  }

  /** Drops the Transfer-Encoding field from the output (a body de-chunked for HTTP/1.0). */
  void dropTransferEncoding() {
    setDrop(TRANSFER_ENCODING);
  }

  private void setDrop(byte k) {
    for (int f = 0; f < fields; f++) {
      if (kind[f] == k) {
        drop[f] = true;
      }
    }
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * Writes the request head as it goes upstream: HTTP/1.1, without hop-by-hop fields, with {@code
   * X-Forwarded-For} extended by the client's address and {@code X-Forwarded-Proto} and {@code
   * X-Forwarded-Host} set. The buffer has room for {@code extra} more bytes (a small body).
   */
  ByteBuf writeRequest(ByteBufAllocator alloc, byte[] clientIp, int extra) {
    return writeRequest(alloc, clientIp, extra, NO_LINES);
  }

  private static final byte[] NO_LINES = new byte[0];

  /**
   * Writes the request head as {@link #writeRequest(ByteBufAllocator, byte[], int)} does, with
   * {@code added} (header lines, each ending in CRLF) before its end. Client-sent {@code
   * Sluice-Flag-*} fields are always left out: only the router sets them.
   */
  ByteBuf writeRequest(ByteBufAllocator alloc, byte[] clientIp, int extra, byte[] added) {
    return writeRequest(alloc, clientIp, extra, added, false);
  }

  /**
   * As {@link #writeRequest(ByteBufAllocator, byte[], int, byte[])}, for a client over TLS ({@code
   * X-Forwarded-Proto: https}) or not.
   */
  ByteBuf writeRequest(
      ByteBufAllocator alloc, byte[] clientIp, int extra, byte[] added, boolean https) {
    // Assembled in a scratch array first: one copy into the buffer instead of one per piece.
    int xff = 0;
    for (int f = 0; f < fields && forwardedFor > 0; f++) {
      if (kind[f] == X_FORWARDED_FOR) {
        xff += valueEnd[f] - valueStart[f] + XFF_SEPARATOR.length;
      }
    }
    int hostLen = host >= 0 ? valueEnd[host] - valueStart[host] : 0;
    byte[] o = output(n + xff + clientIp.length + hostLen + added.length + 128);
    int at = put(o, 0, s, 0, versionStart);
    at = put(o, at, HTTP_1_1);
    at = put(o, at, CRLF);
    int run = -1;
    for (int f = 0; f < fields; f++) {
      byte k = kind[f];
      boolean keep = !drop[f] && k != X_FORWARDED_FOR && k != X_FORWARDED && k != SLUICE_FLAG;
      if (keep && run < 0) {
        run = lineStart[f];
      } else if (!keep && run >= 0) {
        at = put(o, at, s, run, lineStart[f] - run);
        run = -1;
      }
    }
    if (run >= 0) {
      at = put(o, at, s, run, n - 2 - run);
    }
    at = put(o, at, XFF);
    for (int f = 0; f < fields && forwardedFor > 0; f++) {
      if (kind[f] == X_FORWARDED_FOR && valueEnd[f] > valueStart[f]) {
        at = put(o, at, s, valueStart[f], valueEnd[f] - valueStart[f]);
        at = put(o, at, XFF_SEPARATOR);
      }
    }
    at = put(o, at, clientIp);
    at = put(o, at, CRLF);
    at = put(o, at, https ? XFP_HTTPS : XFP_HTTP);
    if (keptUpgrade) {
      at = put(o, at, ADDED_UPGRADE);
    }
    if (host >= 0) {
      at = put(o, at, XFH);
      at = put(o, at, s, valueStart[host], hostLen);
      at = put(o, at, CRLF);
    }
    at = put(o, at, added);
    at = put(o, at, CRLF);
    return alloc.directBuffer(at + extra).writeBytes(o, 0, at);
  }

  private byte[] output(int size) {
    if (o.length < size) {
      o = new byte[Math.max(size, o.length * 2)];
    }
    return o;
  }

  private static int put(byte[] to, int at, byte[] from) {
    System.arraycopy(from, 0, to, at, from.length);
    return at + from.length;
  }

  private static int put(byte[] to, int at, byte[] from, int start, int length) {
    System.arraycopy(from, start, to, at, length);
    return at + length;
  }

  /**
   * Rewrites the response head in place, in the buffer it was parsed from: status line with
   * HTTP/1.1, hop-by-hop fields out, the added fields in. The head then ends where it did and
   * starts later (fields were dropped) or at the same index.
   *
   * @param start the index the head starts at in {@code b}
   * @return the new start index, or -1 when the additions do not fit in what was dropped (then use
   *     {@link #copyResponseHead})
   */
  int rewriteResponseHead(ByteBuf b, int start, int adds) {
    if (version == 11 && adds == 0 && !keptUpgrade && !anyDropped()) {
      return start;
    }
    int size = responseHeadSize(adds);
    if (size > n) {
      return -1;
    }
    int at = start + n - size;
    writeResponseHead(b, at, adds);
    return at;
  }

  /** Returns the response head, rewritten as by {@link #rewriteResponseHead}, in a new buffer. */
  ByteBuf copyResponseHead(ByteBufAllocator alloc, int adds) {
    int size = responseHeadSize(adds);
    ByteBuf out = alloc.directBuffer(size);
    writeResponseHead(out, 0, adds);
    out.writerIndex(size);
    return out;
  }

  private boolean anyDropped() {
    for (int f = 0; f < fields; f++) {
      if (drop[f]) {
        return true;
      }
    }
    return false;
  }

  private int responseHeadSize(int adds) {
    int size = n;
    for (int f = 0; f < fields; f++) {
      if (drop[f]) {
        size -= lineEnd(f) - lineStart[f];
      }
    }
    return size + addedLength(adds);
  }

  private int addedLength(int adds) {
    return ((adds & ADD_CLOSE) != 0 ? ADDED_CLOSE.length : 0)
        + ((adds & ADD_KEEP_ALIVE) != 0 ? ADDED_KEEP_ALIVE.length : 0)
        + ((adds & ADD_CHUNKED) != 0 ? ADDED_CHUNKED.length : 0)
        + ((adds & ADD_EXTRA) != 0 ? extra.length : 0)
        + (keptUpgrade ? ADDED_UPGRADE.length : 0);
  }

  private int lineEnd(int f) {
    return f + 1 < fields ? lineStart[f + 1] : n - 2;
  }

  private void writeResponseHead(ByteBuf out, int index, int adds) {
    // The additions go right after the status line: where fields stand does not matter, and so
    // the rewrite is plain copying from the scratch array, never an overlapping move.
    byte[] o = output(n + addedLength(adds));
    int at = put(o, 0, HTTP_1_1);
    at = put(o, at, s, HTTP_1_1.length, startLineEnd - HTTP_1_1.length);
    if ((adds & ADD_CLOSE) != 0) {
      at = put(o, at, ADDED_CLOSE);
    }
    if ((adds & ADD_KEEP_ALIVE) != 0) {
      at = put(o, at, ADDED_KEEP_ALIVE);
    }
    if ((adds & ADD_CHUNKED) != 0) {
      at = put(o, at, ADDED_CHUNKED);
    }
    if ((adds & ADD_EXTRA) != 0) {
      at = put(o, at, extra);
    }
    if (keptUpgrade) {
      at = put(o, at, ADDED_UPGRADE);
    }
    int run = -1;
    for (int f = 0; f < fields; f++) {
      if (!drop[f] && run < 0) {
        run = lineStart[f];
      } else if (drop[f] && run >= 0) {
        at = put(o, at, s, run, lineStart[f] - run);
        run = -1;
      }
    }
    if (run >= 0) {
      at = put(o, at, s, run, n - 2 - run);
    }
    at = put(o, at, CRLF);
    out.setBytes(index, o, 0, at);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
