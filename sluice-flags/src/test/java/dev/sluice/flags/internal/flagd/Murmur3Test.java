package dev.sluice.flags.internal.flagd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

/** The allocation-free hasher agrees with commons-codec's MurmurHash3 over UTF-8 bytes. */
class Murmur3Test {
  private static int reference(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return MurmurHash3.hash32x86(bytes, 0, bytes.length, 0);
  }

  @Test
  void agreesWithCommonsCodecOnRandomStringsOfEveryUtf8Length() {
    Random random = new Random(42);
    char[] alphabet = {
      'a', 'Z', '0', '-', 'é', 'ß', '€', '中', '\uD83D', '\uDE00', '\uDC00', '\u07FF', '\u0800'
    };
    for (int n = 0; n < 3000; n++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        sb.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String s = sb.toString();
      assertThat(Murmur3.hash(s)).as("hash of %s", s).isEqualTo(reference(s));
      int split = s.isEmpty() ? 0 : random.nextInt(s.length());
      if (split > 0
          && Character.isHighSurrogate(s.charAt(split - 1))
          && Character.isLowSurrogate(s.charAt(split))) {
        split--; // two strings cannot share a surrogate pair; flag keys and targeting keys never do
      }
      assertThat(Murmur3.hash(s.substring(0, split), s.substring(split)))
          .as("hash of %s in two parts", s)
          .isEqualTo(reference(s));
    }
  }

  @Test
  void knownValues() {
    assertThat(Murmur3.hash("")).isZero();
    assertThat(Murmur3.hash("flagKeytargetingKey")).isEqualTo(reference("flagKeytargetingKey"));
  }
}
