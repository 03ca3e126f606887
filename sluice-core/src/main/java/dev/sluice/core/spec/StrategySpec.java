package dev.sluice.core.spec;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** How a new version of an app replaces the stable one. */
public sealed interface StrategySpec {

  /** The name used in status output and events, e.g. {@code blueGreen}. */
  String kind();

  /** How long the version traffic moved away from keeps running, so a rollback is instant. */
  Duration scaleDownDelay();

  /**
   * Blue-green: start the new version at full size beside the old, check it, switch all traffic in
   * one step, keep the old version warm for {@code scaleDownDelay} so a rollback is one switch
   * back.
   *
   * @param autoPromote switch as soon as the new version is healthy and its checks pass; when
   *     false, wait for {@code sluice promote}
   * @param scaleDownDelay how long the old version keeps running after the switch
   * @param previewListen an address that routes only to the new version before the switch; null for
   *     none
   */
  record BlueGreen(boolean autoPromote, Duration scaleDownDelay, @Nullable HostPort previewListen)
      implements StrategySpec {

    /** The defaults: promote automatically, keep the old version 30s, no preview. */
    public static BlueGreen defaults() {
      return new BlueGreen(true, Duration.ofSeconds(30), null);
    }

    @Override
    public String kind() {
      return "blueGreen";
    }
  }
}
