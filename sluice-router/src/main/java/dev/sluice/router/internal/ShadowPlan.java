package dev.sluice.router.internal;

import dev.sluice.router.shadow.BodyCompare;
import dev.sluice.router.shadow.Compare;
import dev.sluice.router.shadow.Shadow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** A table's {@link Shadow} resolved against its versions: which requests are copied, where to. */
final class ShadowPlan {

  final VersionEntry version;
  final int percent;
  final long timeoutNanos;
  final int maxBodyBytes;
  final boolean mirrorUnsafe;
  final @Nullable Compare compare;
  final BodyCompare body;
  final List<String> headerNames;
  final byte[][] headerBytes;

  ShadowPlan(Shadow s, VersionEntry version) {
    this.version = version;
    this.percent = s.percent();
    this.timeoutNanos = s.timeout().toNanos();
    this.maxBodyBytes = s.maxBodyBytes();
    this.mirrorUnsafe = s.mirrorUnsafe();
    this.compare = s.compare();
    this.body = compare == null ? BodyCompare.NONE : compare.body();
    this.headerNames = compare == null ? List.of() : compare.headers();
    this.headerBytes = new byte[headerNames.size()][];
    for (int i = 0; i < headerBytes.length; i++) {
      headerBytes[i] = headerNames.get(i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Returns whether this request (parsed in {@code p}) is copied: its method and the percent. */
  boolean picks(HeadParser p) {
    if (percent == 0 || !mirrorUnsafe && !safe(p)) {
      return false;
    }
    return percent >= 100 || ThreadLocalRandom.current().nextInt(100) < percent;
  }

  /** GET, HEAD, OPTIONS and TRACE (RFC 9110 9.2.1). */
  private static boolean safe(HeadParser p) {
    int m = p.method();
    if (m == HeadParser.METHOD_GET || m == HeadParser.METHOD_HEAD) {
      return true;
    }
    byte[] s = p.bytes();
    int len = p.methodLength();
    return len == 7 && RequestFields.regionEquals(s, 0, OPTIONS, 0, 7)
        || len == 5 && RequestFields.regionEquals(s, 0, TRACE, 0, 5);
  }

  private static final byte[] OPTIONS = "OPTIONS".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRACE = "TRACE".getBytes(StandardCharsets.US_ASCII);

  /** Reads the compared header values of a response head (several fields joined by ", "). */
  @Nullable String[] headers(HeadParser p) {
    @Nullable String[] out = new String[headerBytes.length];
    byte[] s = p.bytes();
    for (int i = 0; i < headerBytes.length; i++) {
      StringBuilder v = null;
      for (int f = p.findField(headerBytes[i], 0); f >= 0; f = p.findField(headerBytes[i], f + 1)) {
        String text =
            new String(s, p.valueStart(f), p.valueEnd(f) - p.valueStart(f), StandardCharsets.UTF_8);
        v = v == null ? new StringBuilder(text) : v.append(", ").append(text);
      }
      out[i] = v == null ? null : v.toString();
    }
    return out;
  }
}
