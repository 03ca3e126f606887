package dev.sluice.flags.internal.logic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.flags.EvaluationContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A platform thread reuses one frame; nested evaluations and virtual threads get their own. */
class FrameTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);

  @Test
  void aReleasedFrameIsReusedAndStartsClean() {
    EvaluationContext first = EvaluationContext.of("user-1");
    Frame frame = Frame.acquire(first, "flag-a", CLOCK);
    frame.markSplit();
    frame.scope = "an array element";
    frame.release();
    assertThat(frame.context()).isNotSameAs(first); // keeps nothing alive

    EvaluationContext second = EvaluationContext.of("user-2");
    Frame again = Frame.acquire(second, "flag-b", CLOCK);
    try {
      assertThat(again).isSameAs(frame);
      assertThat(again.context()).isSameAs(second);
      assertThat(again.flagKey()).isEqualTo("flag-b");
      assertThat(again.split()).isFalse();
      assertThat(again.scope).isSameAs(Frame.ROOT);
      assertThat(again.timestamp()).isEqualTo(1_700_000_000L);
    } finally {
      again.release();
    }
  }

  @Test
  void aNestedEvaluationGetsItsOwnFrame() {
    Frame outer = Frame.acquire(EvaluationContext.of("user-1"), "outer", CLOCK);
    try {
      Frame inner = Frame.acquire(EvaluationContext.of("user-2"), "inner", CLOCK);
      inner.markSplit();
      inner.release();

      assertThat(inner).isNotSameAs(outer);
      assertThat(outer.flagKey()).isEqualTo("outer");
      assertThat(outer.context().targetingKey()).isEqualTo("user-1");
      assertThat(outer.split()).isFalse();
    } finally {
      outer.release();
    }
  }

  @Test
  void virtualThreadsGetNewFrames() throws Exception {
    AtomicReference<Frame> first = new AtomicReference<>();
    AtomicReference<Frame> second = new AtomicReference<>();
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  Frame a = Frame.acquire(EvaluationContext.of("u"), "f", CLOCK);
                  a.release();
                  Frame b = Frame.acquire(EvaluationContext.of("u"), "f", CLOCK);
                  b.release();
                  first.set(a);
                  second.set(b);
                });
    t.join();

    assertThat(first.get()).isNotNull().isNotSameAs(second.get());
  }
}
