package dev.sluice.router.shadow;

import java.time.Duration;

/**
 * What the shadow copies of one version did during a recent window, e.g. the last 30 seconds.
 *
 * <p>{@code same + different} are the compared pairs; {@code errors} are copies that failed
 * (connection, timeout, invalid answer, a body over the limit or not JSON) or whose primary failed;
 * {@code dropped} were not sent (queue full, body too large, no healthy shadow replica). Copies
 * sent without a {@link Compare} count as {@code same} when the shadow answered.
 *
 * @param window the length asked for
 * @param same pairs that agreed
 * @param different pairs that differed
 * @param errors copies that could not be compared
 * @param dropped copies that were not sent
 */
public record ShadowWindow(Duration window, long same, long different, long errors, long dropped) {

  /** Returns the pairs compared: {@code same + different}. */
  public long compared() {
    return same + different;
  }

  /**
   * Returns the {@code diff_rate}: differing pairs over compared pairs, 0 when none were compared.
   */
  public double diffRate() {
    long c = compared();
    return c == 0 ? 0.0 : (double) different / c;
  }
}
