package dev.sluice.router.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The router's own short text answers when it cannot get one from upstream. */
final class ErrorResponses {

  static final String NO_HEALTHY_UPSTREAM = "503 Service Unavailable: no healthy upstream\n";
  static final String CONNECT_FAILED = "502 Bad Gateway: upstream connection failed\n";
  static final String UPSTREAM_CLOSED = "502 Bad Gateway: upstream closed the connection\n";
  static final String BAD_RESPONSE = "502 Bad Gateway: invalid response from upstream\n";
  static final String CONNECT_TIMEOUT = "504 Gateway Timeout: upstream connect timed out\n";
  static final String RESPONSE_TIMEOUT = "504 Gateway Timeout: upstream did not answer in time\n";
  static final String BAD_REQUEST = "400 Bad Request\n";

  private ErrorResponses() {}

  static FullHttpResponse of(int code, String text, boolean close, boolean http10) {
    byte[] body = text.getBytes(StandardCharsets.US_ASCII);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, "close");
    } else if (http10) {
      r.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
    }
    return r;
  }
}
