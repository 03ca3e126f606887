package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The holder swaps whole sets atomically and tells listeners what changed. */
class FlagSetHolderTest {
  private static FlagSet version(String variant) {
    return FlagSet.parse(
        "{\"flags\": {\"color\": {\"state\": \"ENABLED\", \"variants\": {\"red\": \"red\", \"blue\": \"blue\"},"
            + " \"defaultVariant\": \""
            + variant
            + "\"},"
            + " \"shape\": {\"state\": \"ENABLED\", \"variants\": {\""
            + variant
            + "\": \""
            + variant
            + "\"},"
            + " \"defaultVariant\": \""
            + variant
            + "\"}}}");
  }

  @Test
  void listenersLearnWhichFlagsChanged() throws Exception {
    FlagSetHolder holder = FlagSetHolder.of(version("red"));
    List<FlagSetChange> changes = new ArrayList<>();
    AutoCloseable subscription = holder.subscribe(changes::add);
    FlagSet blue = version("blue");
    holder.set(blue);
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).changedKeys()).containsExactly("color", "shape");
    assertThat(changes.get(0).current()).isSameAs(blue);
    subscription.close();
    holder.set(version("red"));
    assertThat(changes).hasSize(1);
  }

  @Test
  void aFailingListenerDoesNotStopTheOthersOrTheSwap() {
    FlagSetHolder holder = FlagSetHolder.of(version("red"));
    List<Set<String>> seen = new ArrayList<>();
    holder.subscribe(
        change -> {
          throw new IllegalStateException("listener bug");
        });
    holder.subscribe(change -> seen.add(change.changedKeys()));
    holder.set(version("blue"));
    assertThat(seen).hasSize(1);
    assertThat(holder.get()).isEqualTo(version("blue"));
  }

  @Test
  void badInputChangesNothing() {
    FlagSetHolder holder = FlagSetHolder.of(version("red"));
    FlagSet before = holder.get();
    assertThatThrownBy(() -> holder.update(current -> FlagSet.parse("{\"flags\": {\"x\": {}}}")))
        .isInstanceOf(InvalidFlagSetException.class);
    assertThat(holder.get()).isSameAs(before);
  }

  @Test
  void compareAndSetOnlySwapsTheExpectedSet() {
    FlagSet red = version("red");
    FlagSetHolder holder = FlagSetHolder.of(red);
    assertThat(holder.compareAndSet(version("blue"), version("blue"))).isFalse();
    assertThat(holder.compareAndSet(red, version("blue"))).isTrue();
    assertThat(holder.get()).isEqualTo(version("blue"));
  }

  @Test
  void readersSeeEitherTheOldOrTheNewSetNeverAMix() throws Exception {
    FlagSet red = version("red");
    FlagSet blue = version("blue");
    FlagSetHolder holder = FlagSetHolder.of(red);
    FlagEvaluator flags = FlagEvaluator.of(holder, Testbed.CLOCK);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      CountDownLatch start = new CountDownLatch(1);
      Set<String> mixes = ConcurrentHashMap.newKeySet();
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    FlagSet seen = holder.get();
                    FlagEvaluator pinned = FlagEvaluator.of(seen, Testbed.CLOCK);
                    String color =
                        pinned.stringValue("color", "?", EvaluationContext.empty()).value();
                    String shape =
                        pinned.stringValue("shape", "?", EvaluationContext.empty()).value();
                    if (!color.equals(shape)) {
                      mixes.add(color + "/" + shape);
                    }
                    assertThat(flags.stringValue("color", "?", EvaluationContext.empty()).value())
                        .isIn("red", "blue");
                  }
                  return null;
                }));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 2_000; i++) {
                  holder.set(i % 2 == 0 ? blue : red);
                }
                return null;
              });
      start.countDown();
      writer.get(30, TimeUnit.SECONDS);
      for (Future<?> reader : readers) {
        reader.get(30, TimeUnit.SECONDS);
      }
      assertThat(mixes).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
