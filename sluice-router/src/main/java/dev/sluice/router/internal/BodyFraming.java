package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;

/**
 * Where an HTTP/1.1 message body ends: after Content-Length bytes, after the last chunk and its
 * trailer section (RFC 9112 section 7.1), or when the connection closes. The proxy forwards bodies
 * as raw bytes and needs only their end, to keep connection reuse correct; this class steps over
 * the chunk framing, checking it strictly, and tells the caller which bytes are data.
 *
 * <p>A caller loops on {@link #next}: a positive result is that many data bytes at the reader
 * index, which the caller consumes (forwards or drops) before calling again; framing bytes are
 * consumed here. A caller that forwards chunked bodies as they are forwards everything between two
 * reader index positions, framing included.
 */
final class BodyFraming {

  /** {@link #next}: more bytes are needed. */
  static final int NEED_MORE = 0;

  /** {@link #next}: the body has ended. */
  static final int END = -1;

  /** {@link #next}: the chunk framing is invalid. */
  static final int ERROR = -2;

  /** Longest chunk-size line, extensions included. */
  static final int MAX_CHUNK_LINE = 4096;

  /** Largest trailer section. */
  static final int MAX_TRAILERS = 16384;

  private static final int DONE = 0;
  private static final int LENGTH = 1;
  private static final int CHUNK_SIZE = 2;
  private static final int CHUNK_DATA = 3;
  private static final int CHUNK_END = 4;
  private static final int TRAILERS = 5;
  private static final int CLOSE = 6;

  private int state;
  private long remaining;
  private int trailerBytes;

  /** A body of this many bytes (0: none). */
  void length(long bytes) {
    state = bytes > 0 ? LENGTH : DONE;
    remaining = bytes;
  }

  /** A chunked body. */
  void chunked() {
    state = CHUNK_SIZE;
    trailerBytes = 0;
  }

  /** A body that ends when the connection closes. */
  void untilClose() {
    state = CLOSE;
  }

  /** Returns whether the body ends only with the connection. */
  boolean endsWithClose() {
    return state == CLOSE;
  }

  /** Returns whether the body has ended. */
  boolean done() {
    return state == DONE;
  }

  /**
   * Steps over framing at the reader index.
   *
   * @return the number of data bytes at the reader index (the caller consumes them), or {@link
   *     #NEED_MORE}, {@link #END} or {@link #ERROR}
   */
  int next(ByteBuf in) {
    while (true) {
      switch (state) {
        case DONE:
          return END;
        case LENGTH:
        case CHUNK_DATA:
          {
            int r = in.readableBytes();
            if (r == 0) {
              return NEED_MORE;
            }
            int take = (int) Math.min(r, remaining);
            remaining -= take;
            if (remaining == 0) {
              state = state == LENGTH ? DONE : CHUNK_END;
            }
            return take;
          }
        case CLOSE:
          return in.readableBytes();
        case CHUNK_END:
          {
            if (in.readableBytes() < 2) {
              return NEED_MORE;
            }
            int i = in.readerIndex();
            if (in.getByte(i) != '\r' || in.getByte(i + 1) != '\n') {
              return ERROR;
            }
            in.readerIndex(i + 2);
            state = CHUNK_SIZE;
            break;
          }
        case CHUNK_SIZE:
          {
            int r = chunkSize(in);
            if (r != 1) {
              return r;
            }
            break;
          }
        case TRAILERS:
          {
            int r = trailerLine(in);
            if (r != 1) {
              return r;
            }
            break;
          }
        default:
          throw new IllegalStateException("state " + state);
      }
    }
  }

  /** Reads a chunk-size line; returns 1 when one was read, else NEED_MORE or ERROR. */
  private int chunkSize(ByteBuf in) {
    int start = in.readerIndex();
    int lf = lineEnd(in, start, MAX_CHUNK_LINE);
    if (lf < 0) {
      return lf == -1 ? NEED_MORE : ERROR;
    }
    long size = 0;
    int i = start;
    for (; i < lf; i++) {
      int d = hex(in.getByte(i));
      if (d < 0) {
        break;
      }
      if (i - start == 15) {
        return ERROR;
      }
      size = size << 4 | d;
    }
    if (i == start) {
      return ERROR;
    }
    // What follows the size: optional whitespace and extensions (ignored), then CRLF.
    byte c = in.getByte(i);
    if (c != '\r' && c != ';' && c != ' ' && c != '\t') {
      return ERROR;
    }
    for (; i < lf - 1; i++) {
      byte b = in.getByte(i);
      if (b >= 0 && b < 0x20 && b != '\t' || b == 0x7f) {
        return ERROR;
      }
    }
    in.readerIndex(lf + 1);
    if (size == 0) {
      state = TRAILERS;
    } else {
      state = CHUNK_DATA;
      remaining = size;
    }
    return 1;
  }

  /** Reads one trailer line; returns 1 when one was read, END at the empty line, or NEED_MORE. */
  private int trailerLine(ByteBuf in) {
    int start = in.readerIndex();
    int lf = lineEnd(in, start, MAX_TRAILERS - trailerBytes);
    if (lf < 0) {
      return lf == -1 ? NEED_MORE : ERROR;
    }
    in.readerIndex(lf + 1);
    if (lf == start + 1) {
      state = DONE;
      return END;
    }
    trailerBytes += lf + 1 - start;
    byte first = in.getByte(start);
    if (first == ' ' || first == '\t' || first == ':') {
      return ERROR;
    }
    for (int i = start; i < lf - 1; i++) {
      byte b = in.getByte(i);
      if (b >= 0 && b < 0x20 && b != '\t' || b == 0x7f) {
        return ERROR;
      }
    }
    return 1;
  }

  /**
   * Returns the index of the LF that ends the line at {@code start} (checked to follow a CR), -1
   * when the line is not complete yet, or -2 when it is longer than {@code max} or ends in a bare
   * LF.
   */
  private static int lineEnd(ByteBuf in, int start, int max) {
    int end = in.writerIndex();
    int lf = in.indexOf(start, Math.min(end, start + max), (byte) '\n');
    if (lf < 0) {
      return end - start >= max ? -2 : -1;
    }
    if (lf == start || in.getByte(lf - 1) != '\r') {
      return -2;
    }
    return lf;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    int c = b | 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }
}
