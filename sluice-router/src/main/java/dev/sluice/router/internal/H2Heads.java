package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Field translation between HTTP/2 and HTTP/1.1 heads, shared by both bridges: which fields are
 * connection-specific (RFC 9113 8.2.2: never in HTTP/2), and how a field list is written as
 * HTTP/1.1 lines or as HTTP/2 fields.
 */
final class H2Heads {

  static final byte[] CRLF = {'\r', '\n'};

  private H2Heads() {}

  /** Whether the field belongs to one HTTP/1.1 connection and never crosses to HTTP/2. */
  static boolean connectionSpecific(CharSequence lowerName) {
    return AsciiString.contentEquals(lowerName, "connection")
        || AsciiString.contentEquals(lowerName, "keep-alive")
        || AsciiString.contentEquals(lowerName, "proxy-connection")
        || AsciiString.contentEquals(lowerName, "transfer-encoding")
        || AsciiString.contentEquals(lowerName, "upgrade")
        || AsciiString.contentEquals(lowerName, "te");
  }

  /** Writes {@code name: value\r\n} as ISO-8859-1 bytes (the head parsers judge the bytes). */
  static void line(ByteBuf out, CharSequence name, CharSequence value) {
    out.writeCharSequence(name, StandardCharsets.ISO_8859_1);
    out.writeByte(':');
    out.writeByte(' ');
    out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    out.writeBytes(CRLF);
  }

  /** Writes the regular (not pseudo, not connection-specific) fields of an HTTP/2 list. */
  static void lines(ByteBuf out, Http2Headers headers, boolean skipHost) {
    for (Map.Entry<CharSequence, CharSequence> h : headers) {
      CharSequence name = h.getKey();
      if (name.length() == 0 || name.charAt(0) == ':' || connectionSpecific(name)) {
        continue;
      }
      if (skipHost && AsciiString.contentEqualsIgnoreCase(name, "host")) {
        continue;
      }
      line(out, name, h.getValue());
    }
  }

  /** Copies HTTP/1.1 fields into an HTTP/2 list: names lower-cased, connection fields left out. */
  static Http2Headers fields(Http2Headers into, HttpHeaders from, boolean skipHost) {
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      AsciiString name = AsciiString.of(h.getKey()).toLowerCase();
      if (connectionSpecific(name) || skipHost && name.contentEquals("host")) {
        continue;
      }
      into.add(name, h.getValue());
    }
    return into;
  }

  /** A new HTTP/2 field list that checks names (lower case, no connection fields). */
  static Http2Headers newHeaders() {
    return new DefaultHttp2Headers(true);
  }
}
