package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Validation reports every problem with the field's path, the value found and what was expected,
 * after flagd's schema (flagd-schemas json/flags.json, targeting.json) and Sluice's extensions.
 */
class ValidationTest {
  private static List<String> problems(String json) {
    InvalidFlagSetException e =
        catchThrowableOfType(InvalidFlagSetException.class, () -> FlagSet.parse(json));
    assertThat(e).as("expected %s to be rejected", json).isNotNull();
    return e.problems().stream().map(Problem::toString).toList();
  }

  private static String flag(String body) {
    return "{\"flags\": {\"a\": " + body + "}}";
  }

  @Test
  void defaultVariantMustNameAVariant() {
    assertThat(
            problems(
                "{\"flags\": {\"new-checkout\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false},"
                    + " \"defaultVariant\": \"of\"}}}"))
        .containsExactly(
            "flags.new-checkout.defaultVariant: \"of\" (expected: one of the variants: on, off)");
  }

  @Test
  void everyProblemIsReportedInDocumentOrder() {
    assertThat(
            problems(
                "{\"flags\": {"
                    + "\"a\": {\"state\": \"ON\", \"variants\": {\"on\": true, \"off\": \"no\"}},"
                    + "\"b\": {\"variants\": {}},"
                    + "\"c\": {\"state\": \"ENABLED\", \"variants\": {\"x\": [1, 2]}}},"
                    + "\"metadata\": {\"tags\": [\"a\"]}}"))
        .containsExactly(
            "metadata.tags: [\"a\"] (expected: a string, number or boolean)",
            "flags.a.state: \"ON\" (expected: ENABLED or DISABLED)",
            "flags.a.variants.off: \"no\" (expected: a boolean like variant on (all variants share one type))",
            "flags.b.state: missing (expected: ENABLED or DISABLED)",
            "flags.b.variants: {} (expected: an object with at least one variant, e.g. {\"on\": true, \"off\": false})",
            "flags.c.variants.x: [1,2] (expected: a boolean, string, number or object)");
  }

  @Test
  void aMissingFlagsObjectIsReported() {
    assertThat(problems("{\"flag\": {}}"))
        .containsExactly("flags: missing (expected: an object of flags by key)");
  }

  @Test
  void malformedJsonNamesLineAndColumn() {
    List<String> problems = problems("{\"flags\": {\n  \"a\": {,}\n}}");
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("line 2, column 9: ")
        .endsWith("(expected: well-formed JSON)");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThat(problems("{\"flags\": {}, \"flags\": {}}").get(0))
        .contains("Duplicate field 'flags'");
  }

  @Test
  void numbersOutsideTheSafeIntegerRangeAreRejected() {
    assertThat(
            problems(flag("{\"state\": \"ENABLED\", \"variants\": {\"big\": 9007199254740992}}")))
        .containsExactly(
            "flags.a.variants.big: 9007199254740992 (expected: a whole number from -9007199254740991 to 9007199254740991)");
  }

  @Test
  void targetingProblemsNameTheOperationAndArgument() {
    assertThat(
            problems(
                flag(
                    "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
                        + " \"targeting\": {\"if\": [{\"sem_ver\": [{\"var\": \"version\"}, \"=>\", \"1.2\"]},"
                        + " {\"fractional\": [[\"on\", 12.5], [\"off\", 50]]}, {\"==\": [1, 2, 3]}]}}")))
        .containsExactly(
            "flags.a.targeting.if[0].sem_ver[1]: \"=>\" (expected: one of =, !=, <, <=, >, >=, ^, ~)",
            "flags.a.targeting.if[1].fractional[0][1]: 12.5 (expected: a whole number from 0 to 2147483647)",
            "flags.a.targeting.if[2].==: 3 arguments (expected: 2 arguments)");
  }

  @Test
  void literalVariantNamesARuleCanReturnMustExist() {
    assertThat(
            problems(
                flag(
                    "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
                        + " \"targeting\": {\"if\": [{\"in\": [\"onn\", [\"x\"]]}, \"onn\", null]}}")))
        .containsExactly(
            "flags.a.targeting.if[1]: \"onn\" (expected: one of the variants: on, off)");
  }

  @Test
  void unknownOperationsAndReferencesAreReported() {
    List<String> problems =
        problems(
            "{\"flags\": {\"a\": {\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\","
                + " \"targeting\": {\"if\": [{\"$ref\": \"is_admin\"}, \"on\", {\"equals\": [1, 1]}]}}},"
                + " \"$evaluators\": {\"is_ballmer\": {\"==\": [{\"var\": \"email\"}, \"b@m.com\"]}}}");
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0))
        .isEqualTo(
            "flags.a.targeting.if[0].$ref: \"is_admin\" (expected: one of the $evaluators: is_ballmer)");
    assertThat(problems.get(1))
        .startsWith(
            "flags.a.targeting.if[2].equals: {\"equals\": ...} (expected: a known operation: !, !!, !=");
  }

  @Test
  void referenceCyclesAreReported() {
    assertThat(
            problems(
                "{\"flags\": {}, \"$evaluators\": {\"x\": {\"!\": {\"$ref\": \"y\"}}, \"y\": {\"!\": {\"$ref\": \"x\"}}}}"))
        .containsExactly(
            "$evaluators.y.!.$ref: \"x\" (expected: a reference that does not loop back (x -> y -> x))");
  }

  @Test
  void lifecycleMetadataIsChecked() {
    assertThat(
            problems(
                flag(
                    "{\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"defaultVariant\": \"on\","
                        + " \"metadata\": {\"owner\": 42, \"expires\": \"31.12.2026\"}}")))
        .containsExactly(
            "flags.a.metadata.owner: 42 (expected: the owning team's name, e.g. \"team-checkout\")",
            "flags.a.metadata.expires: \"31.12.2026\" (expected: a date as YYYY-MM-DD, e.g. \"2026-12-31\")");
    assertThat(
            problems(
                flag(
                    "{\"state\": \"ENABLED\", \"variants\": {\"on\": true}, \"metadata\": {\"expires\": \"2026-02-30\"}}")))
        .containsExactly(
            "flags.a.metadata.expires: \"2026-02-30\" (expected: a date as YYYY-MM-DD, e.g. \"2026-12-31\")");
  }

  @Test
  void environmentOverridesAreChecked() {
    assertThat(
            problems(
                flag(
                    "{\"state\": \"ENABLED\", \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": \"off\","
                        + " \"environments\": {\"production\": {\"defaultVariant\": \"maybe\", \"variants\": {}},"
                        + " \"staging\": {\"state\": \"PAUSED\"}, \"bad name\": {}}}")))
        .containsExactly(
            "flags.a.environments.production.variants: {} (expected: one of the overridable fields: state, defaultVariant, targeting)",
            "flags.a.environments.production.defaultVariant: \"maybe\" (expected: one of the variants: on, off)",
            "flags.a.environments.staging.state: \"PAUSED\" (expected: ENABLED or DISABLED)",
            "flags.a.environments[\"bad name\"]: \"bad name\" (expected: an environment name of letters, digits, '.', '_' and '-')");
  }

  @Test
  void theExceptionMessageListsEveryProblem() {
    InvalidFlagSetException e =
        catchThrowableOfType(
            InvalidFlagSetException.class, () -> FlagSet.parse(flag("{\"variants\": {}}")));
    assertThat(e.getMessage())
        .isEqualTo(
            "2 problems in the flag set:\n"
                + "  flags.a.state: missing (expected: ENABLED or DISABLED)\n"
                + "  flags.a.variants: {} (expected: an object with at least one variant, e.g. {\"on\": true, \"off\": false})");
  }

  @Test
  void documentsFlagdAcceptsAreAccepted() {
    FlagSet set =
        FlagSet.parse(
            "{\"$schema\": \"https://flagd.dev/schema/v0/flags.json\","
                + " \"metadata\": {\"flagSetId\": \"shop\", \"version\": \"1\"},"
                + " \"flags\": {\"a\": {\"state\": \"ENABLED\", \"description\": \"kept as is\","
                + " \"variants\": {\"on\": true, \"off\": false}, \"defaultVariant\": null, \"targeting\": {}}}}");
    assertThat(set.flags()).containsKey("a");
    assertThat(set.flag("a").orElseThrow().toJson().get("description").textValue())
        .isEqualTo("kept as is");
  }
}
