package dev.sluice.router.internal;

/**
 * Per-event-loop scratch space for matching requests: a buffer for percent-decoded query values and
 * a reusable character view for regular expressions. Confined to its loop.
 */
final class MatchScratch {

  final int loop;
  byte[] decoded = new byte[256];
  final ByteChars chars = new ByteChars();

  MatchScratch(int loop) {
    this.loop = loop;
  }

  /** Returns {@link #decoded}, grown to hold at least {@code size} bytes. */
  byte[] decoded(int size) {
    if (decoded.length < size) {
      decoded = new byte[Math.max(size, decoded.length * 2)];
    }
    return decoded;
  }

  /** A {@link CharSequence} over ASCII bytes of an array, re-pointed for each value. */
  static final class ByteChars implements CharSequence {
    private byte[] bytes = new byte[0];
    private int from;
    private int length;

    ByteChars set(byte[] b, int start, int end) {
      bytes = b;
      from = start;
      length = end - start;
      return this;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      if (index < 0 || index >= length) {
        throw new IndexOutOfBoundsException(index);
      }
      return (char) (bytes[from + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return toString().substring(start, end);
    }

    @Override
    public String toString() {
      return new String(bytes, from, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
