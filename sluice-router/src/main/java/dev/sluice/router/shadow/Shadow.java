package dev.sluice.router.shadow;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Shadow traffic of a routing table: a copy of selected requests goes to a shadow version, whose
 * response is never returned to the client.
 *
 * <p>The copy is sent after the primary request has been read, on the router's event loop, with its
 * own connection and timeout; the client's exchange never waits for it. At most {@code
 * RouterOptions.maxShadowInFlight} copies per event loop are outstanding; a copy beyond that is
 * dropped (counted as {@code dropped}). A request with a body larger than {@code maxBodyBytes} is
 * not copied (dropped). Unsafe methods (anything but GET, HEAD, OPTIONS and TRACE) are copied only
 * with {@code mirrorUnsafe}. The shadow version's own answers are recorded in its metrics like any
 * version's (status classes, latency), so its error rate and latency can be analysed too.
 *
 * <p>With {@code compare}, the primary response (status, the named headers, the body up to {@code
 * maxBodyBytes}) is kept until the shadow's arrives, and the pair is counted as same, different or
 * error ({@code sluice_shadow_requests_total}, {@link ShadowResults}).
 *
 * <pre>{@code
 * new Shadow("v2", 100, Duration.ofSeconds(5), 1 << 20, false, Compare.json(List.of("/time")));
 * }</pre>
 *
 * @param version the version that gets the copies; a version not in the table gets none
 * @param percent share of eligible requests copied, 0..100
 * @param timeout limit for the shadow's whole response (then {@code error})
 * @param maxBodyBytes largest request body copied, and largest response body compared (larger ones:
 *     the pair is an error)
 * @param mirrorUnsafe whether POST, PUT, PATCH, DELETE and other unsafe methods are copied
 * @param compare how responses are compared, or null to send copies without comparing
 */
public record Shadow(
    String version,
    int percent,
    Duration timeout,
    int maxBodyBytes,
    boolean mirrorUnsafe,
    @Nullable Compare compare) {

  /** Validates. */
  public Shadow {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(timeout, "timeout");
    if (version.isBlank()) {
      throw new IllegalArgumentException("shadow.version: '' (expected: a version name)");
    }
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("shadow.percent: " + percent + " (expected: 0..100)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "shadow.timeout: " + timeout + " (expected: a positive duration)");
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException(
          "shadow.maxBodyBytes: " + maxBodyBytes + " (expected: 0 or more)");
    }
  }

  /** Copies {@code percent} % of safe requests to {@code version}: 5 s timeout, 1 MiB bodies. */
  public static Shadow of(String version, int percent) {
    return new Shadow(version, percent, Duration.ofSeconds(5), 1 << 20, false, null);
  }

  /** Returns a copy that compares responses. */
  public Shadow withCompare(@Nullable Compare c) {
    return new Shadow(version, percent, timeout, maxBodyBytes, mirrorUnsafe, c);
  }

  /** Returns a copy with this timeout. */
  public Shadow withTimeout(Duration t) {
    return new Shadow(version, percent, t, maxBodyBytes, mirrorUnsafe, compare);
  }

  /** Returns a copy with this body limit. */
  public Shadow withMaxBodyBytes(int bytes) {
    return new Shadow(version, percent, timeout, bytes, mirrorUnsafe, compare);
  }

  /** Returns a copy that copies (or not) unsafe methods. */
  public Shadow withMirrorUnsafe(boolean unsafe) {
    return new Shadow(version, percent, timeout, maxBodyBytes, unsafe, compare);
  }
}
