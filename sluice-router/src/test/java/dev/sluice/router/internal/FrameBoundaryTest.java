package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Frame boundaries of a WebSocket stream, with frame headers as RFC 6455 section 5.2 lays out. */
class FrameBoundaryTest {

  /** A frame header: FIN and opcode, then the payload length in its 7, 16 or 64 bit form. */
  private static ByteBuf header(int opcode, long length, boolean masked) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(0x80 | opcode);
    int mask = masked ? 0x80 : 0;
    if (length < 126) {
      b.writeByte(mask | (int) length);
    } else if (length <= 0xffff) {
      b.writeByte(mask | 126).writeShort((int) length);
    } else {
      b.writeByte(mask | 127).writeLong(length);
    }
    if (masked) {
      b.writeInt(0x01020304);
    }
    return b;
  }

  private static ByteBuf frame(int opcode, int length, boolean masked) {
    ByteBuf b = header(opcode, length, masked);
    return b.writeZero(length);
  }

  @Test
  void followsFramesOfEveryLengthFormSplitAnywhere() {
    ByteBuf stream =
        Unpooled.wrappedBuffer(
            frame(1, 5, false), frame(2, 300, true), frame(0, 70_000, false), frame(9, 0, true));
    FrameBoundary f = new FrameBoundary();
    int end = stream.writerIndex();
    // One byte at a time: the boundary is seen exactly at each frame's end.
    int[] ends = {7, 7 + 8 + 300, 7 + 308 + 10 + 70_000, end};
    int next = 0;
    for (int i = 0; i < end; i++) {
      assertThat(f.scan(stream, i, i + 1, false)).isEqualTo(i + 1);
      if (f.atBoundary()) {
        assertThat(i + 1).isEqualTo(ends[next++]);
      }
    }
    assertThat(next).isEqualTo(ends.length);
    assertThat(f.sawClose()).isFalse();
  }

  @Test
  void stopsRightAfterTheFrameInProgressAndSeesACloseFrame() {
    ByteBuf stream = Unpooled.wrappedBuffer(frame(1, 10, false), frame(8, 2, false));
    FrameBoundary f = new FrameBoundary();
    f.scan(stream, 0, 4, false);
    assertThat(f.atBoundary()).isFalse();
    assertThat(f.scan(stream, 4, stream.writerIndex(), true)).isEqualTo(12);
    assertThat(f.atBoundary()).isTrue();
    assertThat(f.sawClose()).isFalse();
    f.scan(stream, 12, stream.writerIndex(), false);
    assertThat(f.sawClose()).isTrue();
    assertThat(f.atBoundary()).isTrue();
  }

  @Test
  void theRoutersCloseFrameIs1001AndMaskedOnlyTowardsTheUpstream() {
    ByteBuf toClient = Tunnel.closeFrame(Unpooled.buffer().alloc(), "drained", false);
    assertThat((int) toClient.readUnsignedByte()).isEqualTo(0x88);
    assertThat((int) toClient.readUnsignedByte()).isEqualTo(9);
    assertThat(toClient.readUnsignedShort()).isEqualTo(1001);
    assertThat(toClient.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("drained");

    ByteBuf toUpstream = Tunnel.closeFrame(Unpooled.buffer().alloc(), "drained", true);
    assertThat((int) toUpstream.getUnsignedByte(1)).isEqualTo(0x80 | 9);
    byte[] key = new byte[4];
    toUpstream.getBytes(2, key);
    int status =
        ((toUpstream.getByte(6) ^ key[0]) & 0xff) << 8 | (toUpstream.getByte(7) ^ key[1]) & 0xff;
    assertThat(status).isEqualTo(1001);
    FrameBoundary f = new FrameBoundary();
    f.scan(toUpstream, 0, toUpstream.writerIndex(), false);
    assertThat(f.sawClose()).isTrue();
    assertThat(f.atBoundary()).isTrue();
  }
}
