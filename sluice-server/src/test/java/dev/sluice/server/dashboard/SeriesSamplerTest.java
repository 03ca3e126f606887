package dev.sluice.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.metrics.StatusCounts;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.server.dashboard.SeriesSampler.Point;
import dev.sluice.server.dashboard.SeriesSampler.Row;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The sampler against router windows whose seconds the test controls: each row is the last complete
 * second, never the second in progress.
 */
class SeriesSamplerTest {

  /** Router windows made of a complete previous second and a current, partial one. */
  static final class Windows implements RouterMetrics {
    record Second(List<Long> micros, int errors) {}

    final Map<String, Second> previous = new HashMap<>();
    final Map<String, Second> current = new HashMap<>();

    @Override
    public WindowSnapshot window(String app, String version, Duration window) {
      List<Second> parts = new ArrayList<>();
      parts.add(current.getOrDefault(version, new Second(List.of(), 0)));
      if (window.toSeconds() >= 2) {
        parts.add(previous.getOrDefault(version, new Second(List.of(), 0)));
      }
      Histogram h = new Histogram(600_000_000L, 2);
      long requests = 0;
      long errors = 0;
      for (Second s : parts) {
        s.micros().forEach(h::recordValue);
        requests += s.micros().size();
        errors += s.errors();
      }
      return new WindowSnapshot(
          window, requests, new StatusCounts(0, requests - errors, 0, 0, errors), 0, h);
    }

    @Override
    public void writePrometheus(Appendable out) {}
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-03-01T10:00:00.400Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Windows windows = new Windows();
  private final MovingClock clock = new MovingClock();
  private final Map<String, Set<String>> versions =
      new LinkedHashMap<>(Map.of("shop", Set.of("v1", "v2")));
  private final SeriesSampler sampler = new SeriesSampler(windows, () -> versions, clock, 5);

  private static List<Long> millis(long... ms) {
    List<Long> out = new ArrayList<>();
    for (long m : ms) {
      out.add(m * 1000);
    }
    return out;
  }

  @Test
  void aRowIsTheLastCompleteSecondWithoutTheSecondInProgress() {
    windows.previous.put(
        "v1", new Windows.Second(millis(10, 10, 10, 10, 10, 10, 10, 10, 10, 200), 2));
    windows.current.put("v1", new Windows.Second(millis(5000, 5000, 5000), 3));

    sampler.sample();

    List<Row> rows = sampler.rows("shop");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).second()).isEqualTo(clock.now.getEpochSecond() - 1);
    Point v1 = rows.get(0).versions().get("v1");
    assertThat(v1.requests()).isEqualTo(10);
    assertThat(v1.errors()).isEqualTo(2);
    assertThat(v1.errorShare()).isEqualTo(0.2);
    assertThat(v1.p50Millis()).isCloseTo(10.0, within(0.1));
    assertThat(v1.p99Millis()).isCloseTo(200.0, within(1.0));
  }

  @Test
  void aVersionThatServedNothingHasNoRateErrorsOrLatency() {
    sampler.sample();

    Point v2 = sampler.rows("shop").get(0).versions().get("v2");
    assertThat(v2.requests()).isZero();
    assertThat(v2.errorShare()).isNull();
    assertThat(v2.p50Millis()).isNull();
    assertThat(v2.p99Millis()).isNull();
  }

  @Test
  void rowsKeepStrictlyIncreasingSecondsAndOnlyTheNewestOnes() {
    for (int i = 0; i < 7; i++) {
      sampler.sample(); // the clock does not move: a late tick takes the next second
    }
    List<Row> rows = sampler.rows("shop");
    assertThat(rows).hasSize(5);
    for (int i = 1; i < rows.size(); i++) {
      assertThat(rows.get(i).second()).isEqualTo(rows.get(i - 1).second() + 1);
    }
    long third = rows.get(2).second();
    assertThat(sampler.rowsAfter("shop", third))
        .extracting(Row::second)
        .containsExactly(third + 1, third + 2);
  }

  @Test
  void anAppThatLeftIsForgottenAndListenersHearOfEverySample() {
    AtomicInteger heard = new AtomicInteger();
    Runnable unsubscribe = sampler.subscribe(heard::incrementAndGet);
    sampler.sample();
    versions.clear();
    versions.put("cart", Set.of("v7"));
    clock.now = clock.now.plusSeconds(1);
    sampler.sample();
    unsubscribe.run();
    sampler.sample();

    assertThat(heard).hasValue(2);
    assertThat(sampler.rows("shop")).isEmpty();
    assertThat(sampler.rows("cart")).hasSize(2);
    assertThat(sampler.rows("cart").get(0).versions()).containsOnlyKeys("v7");
  }
}
