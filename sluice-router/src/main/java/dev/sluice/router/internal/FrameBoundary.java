package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;

/**
 * Follows one direction of a WebSocket stream frame by frame (RFC 6455 5.2) without decoding it:
 * only frame headers are read, payloads are counted and skipped. It tells where a frame ends, so
 * the router can put a close frame of its own between two frames (control frames may go between the
 * fragments of a message, RFC 6455 5.4, never inside a frame), and whether a close frame went by.
 */
final class FrameBoundary {

  private static final int OPCODE_CLOSE = 8;

  private final byte[] header = new byte[14];
  private int headerBytes;
  private long remaining;
  private boolean sawClose;

  /** Returns whether the bytes so far end exactly at the end of a frame. */
  boolean atBoundary() {
    return headerBytes == 0 && remaining == 0;
  }

  /** Returns whether a close frame's header went by. */
  boolean sawClose() {
    return sawClose;
  }

  /**
   * Follows the bytes of {@code b} from {@code from} to {@code to} and returns where it stopped:
   * {@code to}, or with {@code stopAtBoundary} the index right after the first frame that ends.
   */
  int scan(ByteBuf b, int from, int to, boolean stopAtBoundary) {
    int i = from;
    while (i < to) {
      if (remaining > 0) {
        long take = Math.min(remaining, to - i);
        remaining -= take;
        i += (int) take;
        if (remaining == 0 && stopAtBoundary) {
          return i;
        }
        continue;
      }
      header[headerBytes++] = b.getByte(i++);
      if (headerBytes < 2 || headerBytes < headerLength()) {
        continue;
      }
      if ((header[0] & 0x0f) == OPCODE_CLOSE) {
        sawClose = true;
      }
      remaining = payloadLength();
      headerBytes = 0;
      if (remaining == 0 && stopAtBoundary) {
        return i;
      }
    }
    return i;
  }

  private int headerLength() {
    int len7 = header[1] & 0x7f;
    int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    int mask = (header[1] & 0x80) != 0 ? 4 : 0;
    return 2 + extended + mask;
  }

  private long payloadLength() {
    int len7 = header[1] & 0x7f;
    if (len7 < 126) {
      return len7;
    }
    int bytes = len7 == 126 ? 2 : 8;
    long v = 0;
    for (int k = 0; k < bytes; k++) {
      v = v << 8 | (header[2 + k] & 0xff);
    }
    // The most significant bit must be 0 (RFC 6455 5.2); a peer that sets it is followed as if not.
    return v & Long.MAX_VALUE;
  }
}
