package dev.sluice.flags.internal.flagd;

import org.jspecify.annotations.Nullable;

/**
 * MurmurHash3 x86 32-bit with seed 0 over the UTF-8 bytes of a string, computed without building
 * the byte array (or the concatenated string) first, so a {@code fractional} evaluation allocates
 * nothing for hashing.
 *
 * <p>The result equals commons-codec's {@code MurmurHash3.hash32x86(s.getBytes(UTF_8), 0, n, 0)}
 * and Go's {@code murmur3.StringSum32} (which flagd uses) for every string, including lone
 * surrogates, which Java's UTF-8 encoder turns into {@code '?'}. The tests check this against
 * commons-codec on random input. Algorithm: Austin Appleby's MurmurHash3_x86_32.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /** The hash of the UTF-8 bytes of {@code s}. */
  public static int hash(String s) {
    return hash(s, null);
  }

  /** The hash of the UTF-8 bytes of {@code a + b}, without concatenating them. */
  public static int hash(String a, @Nullable String b) {
    int h = 0;
    int block = 0;
    int filled = 0;
    int length = 0;
    for (int part = 0; part < 2; part++) {
      String s = part == 0 ? a : b;
      if (s == null) {
        continue;
      }
      int n = s.length();
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        int encoded;
        int bytes;
        if (c < 0x80) {
          encoded = c;
          bytes = 1;
        } else if (c < 0x800) {
          encoded = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
          bytes = 2;
        } else if (Character.isSurrogate(c)) {
          if (Character.isHighSurrogate(c)
              && i + 1 < n
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(++i));
            encoded =
                (0xf0 | (cp >> 18))
                    | ((0x80 | ((cp >> 12) & 0x3f)) << 8)
                    | ((0x80 | ((cp >> 6) & 0x3f)) << 16)
                    | ((0x80 | (cp & 0x3f)) << 24);
            bytes = 4;
          } else {
            encoded = '?';
            bytes = 1;
          }
        } else {
          encoded =
              (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
          bytes = 3;
        }
        length += bytes;
        for (int k = 0; k < bytes; k++) {
          block |= ((encoded >>> (8 * k)) & 0xff) << (8 * filled);
          if (++filled == 4) {
            h = mixH(h, mixK(block));
            block = 0;
            filled = 0;
          }
        }
      }
    }
    if (filled > 0) {
      h ^= mixK(block);
    }
    h ^= length;
    return fmix(h);
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }

  private static int mixH(int h, int k) {
    h ^= k;
    h = Integer.rotateLeft(h, 13);
    return h * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
