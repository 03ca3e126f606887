package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A copy of a response body's data bytes (chunk framing left out) up to a limit, for a shadow
 * comparison; past the limit it only counts.
 */
final class BodyCapture {

  private final int limit;
  private byte[] bytes = new byte[256];
  private int length;
  private long total;

  BodyCapture(int limit) {
    this.limit = limit;
  }

  /** Copies {@code len} bytes at {@code index} of {@code b} (the reader index does not move). */
  void append(ByteBuf b, int index, int len) {
    total += len;
    int room = limit - length;
    int take = Math.min(room, len);
    if (take <= 0) {
      return;
    }
    if (bytes.length < length + take) {
      bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(length + take, bytes.length * 2)));
    }
    b.getBytes(index, bytes, length, take);
    length += take;
  }

  /** Returns whether the body was longer than the limit. */
  boolean overflowed() {
    return total > length;
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  long total() {
    return total;
  }
}
