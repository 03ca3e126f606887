package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Joins bytes that wait for more (a partial head, a partial chunk-size line, a pipelined request)
 * with the next read. Most reads leave nothing behind, so the usual case hands the read buffer on
 * as it is; a buffer still shared with slices on their way out is never written to.
 */
final class Cumulation {

  private Cumulation() {}

  /** Returns the waiting bytes followed by {@code next}; takes ownership of both. */
  static ByteBuf append(ByteBufAllocator alloc, @Nullable ByteBuf waiting, ByteBuf next) {
    if (waiting == null) {
      return next;
    }
    if (!waiting.isReadable()) {
      waiting.release();
      return next;
    }
    int more = next.readableBytes();
    if (waiting.refCnt() == 1 && waiting.maxFastWritableBytes() >= more) {
      waiting.writeBytes(next);
      next.release();
      return waiting;
    }
    ByteBuf joined = alloc.directBuffer(waiting.readableBytes() + more);
    joined.writeBytes(waiting).writeBytes(next);
    waiting.release();
    next.release();
    return joined;
  }
}
