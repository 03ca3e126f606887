package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.RoutingTable;
import dev.sluice.router.Sticky;
import dev.sluice.router.Ticker;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sticky ranges of {@link CompiledTable#stickyVersion}, the function the router applies to a
 * key's hash, checked on every point of the hash space: as the newest version's weight grows, the
 * points it owns only grow, and it owns exactly its share of them.
 */
class StickyRangesTest {

  private static CompiledTable table(int... weights) {
    RoutingTable.Builder b = RoutingTable.builder().sticky(Sticky.header("x-user-id"));
    VersionEntry[] entries = new VersionEntry[weights.length];
    for (int i = 0; i < weights.length; i++) {
      b.version("v" + (i + 1), weights[i], List.of());
      entries[i] =
          new VersionEntry(
              "v" + (i + 1),
              weights[i],
              new EndpointState[0],
              new VersionMetrics("shop", "v" + (i + 1), 1, Ticker.system(), 0));
    }
    return new CompiledTable("shop", b.build(), entries, 1);
  }

  /** The points (0..9999) that the version named {@code name} owns. */
  private static BitSet owned(CompiledTable t, String name) {
    BitSet points = new BitSet(CompiledTable.STICKY_POINTS);
    for (int p = 0; p < CompiledTable.STICKY_POINTS; p++) {
      VersionEntry v = t.stickyVersion(p);
      if (v != null && v.name.equals(name)) {
        points.set(p);
      }
    }
    return points;
  }

  private static boolean isSubset(BitSet small, BitSet big) {
    BitSet rest = (BitSet) small.clone();
    rest.andNot(big);
    return rest.isEmpty();
  }

  @Test
  void everyCanaryWeightFrom0To100OwnsASupersetOfThePointsOfTheWeightBelowIt() {
    BitSet previous = new BitSet();
    for (int w = 0; w <= 100; w++) {
      BitSet canary = owned(table(100 - w, w), "v2");
      assertThat(isSubset(previous, canary)).as("points of %d %% kept at %d %%", w - 1, w).isTrue();
      assertThat(canary.cardinality()).as("points at %d %%", w).isEqualTo(w * 100);
      previous = canary;
    }
  }

  @Test
  void aGrowingCanaryOnlyGainsPointsWhenTheOtherWeightsDoNotAddUpTo100() {
    // Stable fixed at 100, canary 1..300, and three versions where the two older ones shrink:
    // the canary's range is [0, share) of the space, so a larger share contains a smaller one.
    BitSet previous = new BitSet();
    for (int w = 1; w <= 300; w++) {
      BitSet canary = owned(table(100, w), "v2");
      assertThat(isSubset(previous, canary)).as("canary %d against stable 100", w).isTrue();
      previous = canary;
    }
    previous = new BitSet();
    for (int w = 0; w <= 100; w += 5) {
      int older = (100 - w) / 2;
      BitSet canary = owned(table(older, 100 - w - older, w), "v3");
      assertThat(isSubset(previous, canary)).as("three versions, canary %d", w).isTrue();
      assertThat(canary.cardinality()).isEqualTo(w * 100);
      previous = canary;
    }
  }

  @Test
  void theHashOfAKeyIsTakenAsAnUnsignedNumber() {
    CompiledTable t = table(50, 50);
    // -1 is 4294967295 unsigned: point 7295, in the stable half [5000, 10000).
    assertThat(t.stickyVersion(-1).name).isEqualTo("v1");
    assertThat(t.stickyVersion(4999).name).isEqualTo("v2");
    assertThat(t.stickyVersion(5000).name).isEqualTo("v1");
    assertThat(table(0, 0).stickyVersion(1)).isNull();
  }
}
