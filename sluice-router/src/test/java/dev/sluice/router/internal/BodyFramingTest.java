package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Body ends by length and by chunked framing (RFC 9112 section 7.1), fed in arbitrary pieces. */
class BodyFramingTest {

  private static final String CHUNKED =
      "5\r\nhello\r\n6;name=\"v\" \r\n world\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
  private static final String NEXT = "GET /next HTTP/1.1\r\n";

  /** What a consumer of the framing saw: data bytes, raw bytes up to the end, and the verdict. */
  private record Outcome(String data, String raw, int result, String rest) {}

  /**
   * Feeds the message in pieces cut at the given positions, the way reads arrive, keeping unused
   * bytes for the next piece as the router does.
   */
  private static Outcome feed(BodyFraming f, String message, int... cuts) {
    byte[] all = message.getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    ByteBuf in = Unpooled.buffer();
    int result = BodyFraming.NEED_MORE;
    int from = 0;
    try {
      for (int p = 0; p <= cuts.length && result == BodyFraming.NEED_MORE; p++) {
        int to = p < cuts.length ? cuts[p] : all.length;
        in.writeBytes(all, from, to - from);
        from = to;
        int start = in.readerIndex();
        int r;
        while ((r = f.next(in)) > 0) {
          byte[] piece = new byte[r];
          in.readBytes(piece);
          data.writeBytes(piece);
        }
        byte[] seen = new byte[in.readerIndex() - start];
        in.getBytes(start, seen);
        raw.writeBytes(seen);
        result = r;
        in.discardReadBytes();
      }
      in.writeBytes(all, from, all.length - from);
      return new Outcome(
          data.toString(StandardCharsets.ISO_8859_1),
          raw.toString(StandardCharsets.ISO_8859_1),
          result,
          in.toString(StandardCharsets.ISO_8859_1));
    } finally {
      in.release();
    }
  }

  private static BodyFraming chunked() {
    BodyFraming f = new BodyFraming();
    f.chunked();
    return f;
  }

  @Test
  void endsAChunkedBodyAfterItsTrailersWhereverTheReadsAreCut() {
    String message = CHUNKED + NEXT;
    for (int a = 0; a <= CHUNKED.length(); a++) {
      for (int b = a; b <= CHUNKED.length(); b += 7) {
        Outcome o = feed(chunked(), message, a, b);
        assertThat(o.result()).as("cut at %d and %d", a, b).isEqualTo(BodyFraming.END);
        assertThat(o.data()).isEqualTo("hello world0123456789");
        assertThat(o.raw()).isEqualTo(CHUNKED);
        assertThat(o.rest()).isEqualTo(NEXT);
      }
    }
  }

  @Test
  void endsAChunkedBodyThatArrivesAByteAtATime() {
    int[] cuts = new int[CHUNKED.length()];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    Outcome o = feed(chunked(), CHUNKED + NEXT, cuts);
    assertThat(o.result()).isEqualTo(BodyFraming.END);
    assertThat(o.raw()).isEqualTo(CHUNKED);
    assertThat(o.rest()).isEqualTo(NEXT);
  }

  @Test
  void endsALengthBodyAfterItsLengthAndLeavesWhatFollows() {
    BodyFraming f = new BodyFraming();
    f.length(10);
    Outcome o = feed(f, "0123456789" + NEXT, 3, 4, 9);
    assertThat(o.result()).isEqualTo(BodyFraming.END);
    assertThat(o.data()).isEqualTo("0123456789");
    assertThat(o.rest()).isEqualTo(NEXT);

    BodyFraming empty = new BodyFraming();
    empty.length(0);
    assertThat(empty.done()).isTrue();
    assertThat(feed(empty, NEXT).result()).isEqualTo(BodyFraming.END);
  }

  @Test
  void aBodyEndedByClosingTakesEverything() {
    BodyFraming f = new BodyFraming();
    f.untilClose();
    assertThat(f.endsWithClose()).isTrue();
    Outcome o = feed(f, "abc", 1);
    assertThat(o.result()).isEqualTo(BodyFraming.NEED_MORE);
    assertThat(o.data()).isEqualTo("abc");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "5\r\nhelloX\r\n0\r\n\r\n", // no CRLF after the data
        "g\r\nhello\r\n0\r\n\r\n", // not a hex digit
        "\r\n", // no size
        "5\nhello\r\n0\r\n\r\n", // bare LF after the size
        "5\r\nhello\r\n0\r\n\n", // bare LF ending the trailers
        "5\r\nhello\r\n0\r\n  folded\r\n\r\n", // obs-fold in the trailers
        "10000000000000000\r\n", // a size beyond 15 hex digits
        "5 x\u0001\r\nhello\r\n0\r\n\r\n", // a control character in an extension
        "-5\r\nhello\r\n0\r\n\r\n", // a sign
      })
  void refusesInvalidChunkFraming(String body) {
    assertThat(feed(chunked(), body).result()).isEqualTo(BodyFraming.ERROR);
  }

  @Test
  void refusesAChunkSizeLineThatNeverEnds() {
    String endless = "5;" + "x".repeat(BodyFraming.MAX_CHUNK_LINE);
    assertThat(feed(chunked(), endless).result()).isEqualTo(BodyFraming.ERROR);
    assertThat(feed(chunked(), "5;xx").result()).isEqualTo(BodyFraming.NEED_MORE);
  }
}
