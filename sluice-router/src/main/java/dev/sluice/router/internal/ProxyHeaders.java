package dev.sluice.router.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Header rewriting of a proxy: hop-by-hop headers out, {@code X-Forwarded-*} in.
 *
 * <p>Hop-by-hop headers are those of RFC 9110 section 7.6.1: {@code Connection} and every header it
 * names, plus {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code Trailer} and {@code Upgrade}.
 * {@code Transfer-Encoding} stays: Netty's codec frames the message by it on the next hop. One pass
 * over the headers finds them, so a request with none costs no allocation.
 */
final class ProxyHeaders {

  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  private static final AsciiString HTTP = AsciiString.cached("http");

  private ProxyHeaders() {}

  /** Rewrites the headers of a request about to go upstream. */
  static void forRequest(HttpHeaders h, String clientIp) {
    stripHopByHop(h);
    String xff = h.get(X_FORWARDED_FOR);
    h.set(X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
    h.set(X_FORWARDED_PROTO, HTTP);
    String host = h.get(HttpHeaderNames.HOST);
    if (host != null) {
      h.set(X_FORWARDED_HOST, host);
    } else {
      h.remove(X_FORWARDED_HOST);
    }
  }

  /** Removes hop-by-hop headers. */
  static void stripHopByHop(HttpHeaders h) {
    List<String> remove = null;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      if (isHopByHop(name)) {
        if (remove == null) {
          remove = new ArrayList<>(4);
        }
        remove.add(name.toString());
        if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
          for (String token : e.getValue().toString().split(",")) {
            String t = token.trim();
            if (!t.isEmpty() && !t.equalsIgnoreCase("close") && !t.equalsIgnoreCase("keep-alive")) {
              remove.add(t);
            }
          }
        }
      }
    }
    if (remove != null) {
      for (String name : remove) {
        if (!name.equalsIgnoreCase("transfer-encoding")) {
          h.remove(name);
        }
      }
    }
  }

  private static boolean isHopByHop(CharSequence name) {
    // Length first: most headers are ruled out without comparing a character.
    switch (name.length()) {
      case 2:
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE);
      case 7:
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRAILER)
            || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE);
      case 10:
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
            || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE)
            || isProxyHeader(name);
      default:
        return name.length() > 6 && isProxyHeader(name);
    }
  }

  private static boolean isProxyHeader(CharSequence name) {
    char c = name.charAt(0);
    return (c == 'p' || c == 'P') && AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6);
  }
}
