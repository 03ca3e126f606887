package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hash and byte helpers behind sticky assignment and rule matching. */
class StickyHashTest {

  private static int murmur(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return RequestFields.murmur3(b, 0, b.length, 0);
  }

  @Test
  void murmur3MatchesTheReferenceVectors() {
    // MurmurHash3_x86_32 with seed 0, as the reference implementation and Guava compute them.
    assertThat(murmur("")).isZero();
    assertThat(murmur("hello")).isEqualTo(0x248bfa47);
    assertThat(murmur("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723);
    byte[] shifted = "xxhello".getBytes(StandardCharsets.UTF_8);
    assertThat(RequestFields.murmur3(shifted, 2, 7, 0)).isEqualTo(0x248bfa47);
  }

  @Test
  void cookiesAreFoundByExactNameWithQuotesRemoved() {
    byte[] v = "a=1; plan=\"gold\" ;  b = 2".getBytes(StandardCharsets.US_ASCII);
    long span = RequestFields.cookie(v, 0, v.length, "plan".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(v, (int) (span >>> 32), (int) span - (int) (span >>> 32)))
        .isEqualTo("gold");
    long b = RequestFields.cookie(v, 0, v.length, "b".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(v, (int) (b >>> 32), (int) b - (int) (b >>> 32))).isEqualTo("2");
    assertThat(RequestFields.cookie(v, 0, v.length, "lan".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(-1);
  }

  @Test
  void pathPrefixesMatchAtSegmentBoundaries() {
    assertThat(prefix("/api", "/api")).isTrue();
    assertThat(prefix("/api/x", "/api")).isTrue();
    assertThat(prefix("/apis", "/api")).isFalse();
    assertThat(prefix("/api", "/api/")).isTrue();
    assertThat(prefix("/api/", "/api/")).isTrue();
    assertThat(prefix("/ap", "/api")).isFalse();
    assertThat(prefix("/anything", "/")).isTrue();
  }

  private static boolean prefix(String path, String prefix) {
    byte[] p = path.getBytes(StandardCharsets.US_ASCII);
    return RequestFields.hasPathPrefix(p, 0, p.length, prefix.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void percentDecodingTurnsPlusIntoSpaceAndKeepsMalformedEscapes() {
    byte[] in = "a+b%20c%2x%".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[in.length];
    int n = RequestFields.decode(in, 0, in.length, out);
    assertThat(new String(out, 0, n, StandardCharsets.US_ASCII)).isEqualTo("a b c%2x%");
  }
}
