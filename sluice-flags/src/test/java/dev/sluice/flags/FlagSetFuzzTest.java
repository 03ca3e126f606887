package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes flag definitions and their evaluation: an input is a flag set document, optionally
 * followed by a NUL byte and an evaluation context as JSON.
 *
 * <p>A document is either a valid set or an {@link InvalidFlagSetException} whose every problem
 * says what was expected. A valid set exports to documents that read back to the same set, and
 * evaluating any of its flags, typed or not, in any environment, never throws and never reports an
 * internal exception as its message (the OpenFeature contract: the default with a reason). The
 * seeds under {@code FlagSetFuzzTestInputs} run as regression tests in every build.
 */
class FlagSetFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);

  @FuzzTest(maxDuration = "10s")
  @Timeout(10)
  @DictionaryEntries({
    "{\"flags\": {",
    "\"state\": \"ENABLED\"",
    "\"state\": \"DISABLED\"",
    "\"variants\": {",
    "\"defaultVariant\": ",
    "\"targeting\": {",
    "\"environments\": {",
    "\"metadata\": {",
    "\"$evaluators\": {",
    "{\"$ref\": ",
    "{\"var\": ",
    "\"if\"",
    "\"fractional\"",
    "\"sem_ver\"",
    "\"starts_with\"",
    "\"ends_with\"",
    "\"in\"",
    "\"map\"",
    "\"reduce\"",
    "\"substr\"",
    "\"$flagd.timestamp\"",
    "\"targetingKey\"",
    "\"environment\"",
  })
  void documentIsValidOrExplainedAndEvaluationNeverFails(byte[] input) {
    // The whole input as a document too: the part before a NUL never holds one, and bytes such
    // as 03 00 00 00 make Jackson guess UTF-32.
    try {
      FlagSet.parse(input);
    } catch (InvalidFlagSetException e) {
      explained(e);
    }
    int nul = indexOf(input, (byte) 0);
    byte[] document = nul < 0 ? input : Arrays.copyOf(input, nul);
    String contextText =
        nul < 0 ? "{}" : new String(input, nul + 1, input.length - nul - 1, StandardCharsets.UTF_8);

    FlagSet set;
    try {
      set = FlagSet.parse(document);
    } catch (InvalidFlagSetException e) {
      explained(e);
      return;
    }

    assertThat(FlagSet.parse(set.toJson())).isEqualTo(set);
    FlagSet.parse(set.toFlagdJson(null));
    for (String environment : set.environments()) {
      FlagSet.parse(set.toFlagdJson(environment));
    }

    EvaluationContext context = context(contextText);
    FlagEvaluator evaluator = FlagEvaluator.of(set, CLOCK);
    List<EvaluationContext> contexts =
        set.environments().isEmpty()
            ? List.of(context)
            : List.of(
                context,
                context.toBuilder().environment(set.environments().iterator().next()).build());
    for (EvaluationContext c : contexts) {
      for (String key : set.flags().keySet()) {
        check(evaluator.value(key, c));
        check(evaluator.booleanValue(key, false, c));
        check(evaluator.stringValue(key, "", c));
        check(evaluator.integerValue(key, 0, c));
        check(evaluator.doubleValue(key, 0.0, c));
        check(evaluator.objectValue(key, BooleanNode.TRUE, c));
      }
      for (Map.Entry<String, EvaluationResult<JsonNode>> e : evaluator.evaluateAll(c).entrySet()) {
        assertThat(e.getValue().flagKey()).isEqualTo(e.getKey());
        check(e.getValue());
      }
    }
  }

  private static void explained(InvalidFlagSetException e) {
    assertThat(e.problems()).isNotEmpty();
    for (Problem p : e.problems()) {
      assertThat(p.path()).as("the path of %s", p).isNotNull();
      assertThat(p.value()).as("the value of %s", p).isNotNull();
      assertThat(p.expected()).as("what %s expected", p).isNotBlank();
      assertThat(p.toString()).doesNotContain("Exception");
    }
  }

  private static EvaluationContext context(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && node.isObject()
          ? EvaluationContext.fromJson(node)
          : EvaluationContext.empty();
    } catch (JsonProcessingException e) {
      return EvaluationContext.empty();
    }
  }

  /** A failed evaluation explains itself in words, not with an exception's name. */
  private static void check(EvaluationResult<?> r) {
    if (r.errorCode() != null) {
      assertThat(r.errorMessage()).as("the message of %s", r).isNotBlank();
      assertThat(r.errorMessage()).as("the message of %s", r).doesNotContain("Exception", "Error:");
      assertThat(r.variant()).isNull();
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
