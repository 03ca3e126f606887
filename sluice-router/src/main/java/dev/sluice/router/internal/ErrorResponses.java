package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The router's own short text answers when it cannot get one from upstream. */
final class ErrorResponses {

  static final String NO_APP = "404 Not Found: no app for this host and path\n";
  static final String OVER_LIMIT = "503 Service Unavailable: replica connection limit reached\n";
  static final String PENDING_TIMEOUT =
      "503 Service Unavailable: timed out waiting for a replica under its connection limit\n";
  static final String NO_HEALTHY_UPSTREAM = "503 Service Unavailable: no healthy upstream\n";
  static final String CONNECT_FAILED = "502 Bad Gateway: upstream connection failed\n";
  static final String UPSTREAM_CLOSED = "502 Bad Gateway: upstream closed the connection\n";
  static final String BAD_RESPONSE = "502 Bad Gateway: invalid response from upstream\n";
  static final String CONNECT_TIMEOUT = "504 Gateway Timeout: upstream connect timed out\n";
  static final String RESPONSE_TIMEOUT = "504 Gateway Timeout: upstream did not answer in time\n";

  private ErrorResponses() {}

  /** Returns the text of the router's answer to a request it could not parse. */
  static String forRequestError(int code) {
    return code + " " + reason(code) + "\n";
  }

  /** Returns a whole response, head and body, as bytes. */
  static ByteBuf of(ByteBufAllocator alloc, int code, String text, boolean close, boolean http10) {
    byte[] body = text.getBytes(StandardCharsets.US_ASCII);
    StringBuilder head =
        new StringBuilder(160)
            .append("HTTP/1.1 ")
            .append(code)
            .append(' ')
            .append(reason(code))
            .append("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
            .append(body.length)
            .append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    } else if (http10) {
      head.append("Connection: keep-alive\r\n");
    }
    head.append("\r\n");
    ByteBuf out = alloc.buffer(head.length() + body.length);
    out.writeCharSequence(head, StandardCharsets.US_ASCII);
    out.writeBytes(body);
    return out;
  }

  private static String reason(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 414 -> "URI Too Long";
      case 431 -> "Request Header Fields Too Large";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "Error";
    };
  }
}
