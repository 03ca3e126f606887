package dev.sluice.flags;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The flagd-testbed flag definitions and an evaluator over them at a fixed time. */
final class Testbed {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private Testbed() {}

  static FlagSet flags() {
    try (InputStream in = Testbed.class.getResourceAsStream("/testbed-flags.json")) {
      return FlagSet.parse(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FlagEvaluator evaluator() {
    return FlagEvaluator.of(flags(), CLOCK);
  }
}
