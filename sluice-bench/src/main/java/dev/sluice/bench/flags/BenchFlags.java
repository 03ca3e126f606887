package dev.sluice.bench.flags;

import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.flags.FlagSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * The flag set both sides of {@link FlagEvaluationBench} evaluate ({@code flag-bench.json}, also
 * imported by {@code ofrep-bench.sh}), the users they evaluate it for, and a check that both sides
 * do the same work.
 *
 * <p>The set has one flag per kind of work: {@code static-banner} (no targeting), {@code
 * pro-checkout} (an {@code and} of {@code ends_with} on the email and {@code in} a list of plans)
 * and {@code new-search} (a 25/75 {@code fractional} rollout on the targeting key). Users differ in
 * targeting key, email domain and plan, so the rule takes both branches and the rollout both
 * buckets.
 */
final class BenchFlags {
  /** The classpath resource with the flag set. */
  static final String RESOURCE = "/flag-bench.json";

  /** The flag evaluated by each value of the benchmarks' {@code kind} parameter. */
  static final Map<String, String> FLAG_BY_KIND =
      Map.of("static", "static-banner", "targeting", "pro-checkout", "fractional", "new-search");

  /** How many distinct users the benchmarks cycle through (a power of two). */
  static final int USERS = 1024;

  private static final String[] PLANS = {"free", "pro", "team", "enterprise", "trial"};

  private BenchFlags() {}

  /** The flag set's JSON text. */
  static String json() {
    try (InputStream in = BenchFlags.class.getResourceAsStream(RESOURCE)) {
      return new String(Objects.requireNonNull(in, RESOURCE).readAllBytes(), "UTF-8");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The flag set written to a new temporary file, for the flagd provider's file resolver. */
  static Path writeTemp() {
    try {
      Path file = Files.createTempFile("flag-bench-", ".json");
      file.toFile().deleteOnExit();
      return Files.writeString(file, json());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sluice's engine over the set. */
  static FlagEvaluator sluiceEngine() {
    return FlagEvaluator.of(FlagSet.parse(json()), Clock.systemUTC());
  }

  static String targetingKey(int user) {
    return "user-" + user;
  }

  static String email(int user) {
    return "user" + user + (user % 3 == 0 ? "@example.org" : "@example.com");
  }

  static String plan(int user) {
    return PLANS[user % PLANS.length];
  }

  /** The users as Sluice engine contexts. */
  static EvaluationContext[] sluiceContexts() {
    EvaluationContext[] out = new EvaluationContext[USERS];
    for (int i = 0; i < USERS; i++) {
      out[i] =
          EvaluationContext.builder()
              .targetingKey(targetingKey(i))
              .set("email", email(i))
              .set("plan", plan(i))
              .build();
    }
    return out;
  }

  /** The same users as OpenFeature contexts. */
  static dev.openfeature.sdk.EvaluationContext[] openFeatureContexts() {
    dev.openfeature.sdk.EvaluationContext[] out = new dev.openfeature.sdk.EvaluationContext[USERS];
    for (int i = 0; i < USERS; i++) {
      out[i] =
          new ImmutableContext(
              targetingKey(i), Map.of("email", new Value(email(i)), "plan", new Value(plan(i))));
    }
    return out;
  }

  /**
   * Fails unless {@code provider} does the same work as Sluice's engine: the same value and variant
   * for every user of the static and the targeting flag, and a share of the rollout within 6 points
   * of its 25 % for both.
   *
   * <p>Per user, rollouts agree only with a provider that buckets like flagd 0.15 and later (hash
   * times total weight, shifted right by 32, as Sluice does). The flagd Java provider up to at
   * least 0.11.15 still buckets as flagd did before: {@code abs(hash) / Integer.MAX_VALUE * 100} in
   * float, against percentages; the same hash of the same key, mapped differently, so some users
   * land in another bucket.
   */
  static void checkSameWork(FeatureProvider provider, String name) {
    FlagEvaluator sluice = sluiceEngine();
    EvaluationContext[] ours = sluiceContexts();
    dev.openfeature.sdk.EvaluationContext[] theirs = openFeatureContexts();
    for (Map.Entry<String, String> kind : FLAG_BY_KIND.entrySet()) {
      String flag = kind.getValue();
      boolean rollout = kind.getKey().equals("fractional");
      int onOurs = 0;
      int onTheirs = 0;
      for (int i = 0; i < USERS; i++) {
        EvaluationResult<Boolean> a = sluice.booleanValue(flag, false, ours[i]);
        ProviderEvaluation<Boolean> b = provider.getBooleanEvaluation(flag, false, theirs[i]);
        if (a.isError()
            || b.getErrorCode() != null
            || (!rollout
                && (!a.value().equals(b.getValue())
                    || !Objects.equals(a.variant(), b.getVariant())))) {
          throw new IllegalStateException(
              name
                  + " and Sluice disagree on "
                  + flag
                  + " for "
                  + targetingKey(i)
                  + ": "
                  + b
                  + " vs "
                  + a);
        }
        onOurs += a.value() ? 1 : 0;
        onTheirs += Boolean.TRUE.equals(b.getValue()) ? 1 : 0;
      }
      if (rollout && (!near(onOurs, 0.25) || !near(onTheirs, 0.25))) {
        throw new IllegalStateException(
            flag + ": " + onOurs + " (Sluice) and " + onTheirs + " (" + name + ") of " + USERS);
      }
      if (kind.getKey().equals("targeting") && (onOurs == 0 || onOurs == USERS)) {
        throw new IllegalStateException(flag + " gave the same answer to every user");
      }
    }
  }

  private static boolean near(int on, double share) {
    return Math.abs((double) on / USERS - share) <= 0.06;
  }
}
