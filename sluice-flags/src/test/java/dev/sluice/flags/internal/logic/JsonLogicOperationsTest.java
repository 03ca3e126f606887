package dev.sluice.flags.internal.logic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.internal.flagd.FlagdOperations;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every standard JSON Logic operation, with expectations from jsonlogic.com/operations.html and
 * json-logic-js's behaviour (JavaScript coercions and truthiness).
 */
class JsonLogicOperationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static @Nullable Object eval(String rule, Map<String, ?> data) {
    try {
      Map<String, Compiler.Operation> ops = Compiler.standardOperations();
      FlagdOperations.register(ops);
      Problems problems = Problems.collecting();
      Node node =
          new Compiler(ops, (name, path, p) -> null, problems, null)
              .compile(JSON.readTree(rule), Path.root("rule"), false);
      assertThat(problems.list()).isEmpty();
      return node.eval(new Frame(EvaluationContext.fromMap(data), "my-flag", 1_700_000_000L));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static @Nullable Object eval(String rule) {
    return eval(rule, Map.of());
  }

  @Test
  void varReadsDottedPathsArrayIndexesAndDefaults() {
    Map<String, Object> data =
        Map.of("a", 1, "user", Map.of("name", "ada", "tags", List.of("x", "y")));
    assertThat(eval("{\"var\": \"a\"}", data)).isEqualTo(1.0);
    assertThat(eval("{\"var\": [\"user.name\"]}", data)).isEqualTo("ada");
    assertThat(eval("{\"var\": \"user.tags.1\"}", data)).isEqualTo("y");
    assertThat(eval("{\"var\": [\"nope\", 26]}", data)).isEqualTo(26.0);
    assertThat(eval("{\"var\": \"user.nope.deeper\"}", data)).isNull();
    assertThat(eval("{\"var\": \"$flagd.flagKey\"}", data)).isEqualTo("my-flag");
    assertThat(eval("{\"var\": \"$flagd.timestamp\"}", data)).isEqualTo(1.7e9);
    assertThat(eval("{\"var\": {\"cat\": [\"us\", \"er.name\"]}}", data)).isEqualTo("ada");
    assertThat(eval("{\"var\": \"targetingKey\"}", Map.of("targetingKey", "k1"))).isEqualTo("k1");
  }

  @Test
  void missingAndMissingSomeListAbsentKeys() {
    Map<String, Object> data = Map.of("a", "apple", "c", "");
    assertThat(eval("{\"missing\": [\"a\", \"b\", \"c\"]}", data)).isEqualTo(List.of("b", "c"));
    assertThat(eval("{\"missing\": {\"merge\": [\"a\", [\"b\"]]}}", data)).isEqualTo(List.of("b"));
    assertThat(eval("{\"missing_some\": [1, [\"a\", \"b\"]]}", data)).isEqualTo(List.of());
    assertThat(eval("{\"missing_some\": [2, [\"a\", \"b\", \"c\"]]}", data))
        .isEqualTo(List.of("b", "c"));
  }

  @Test
  void ifChoosesByTruthinessWithElseIfChains() {
    assertThat(eval("{\"if\": [true, \"yes\", \"no\"]}")).isEqualTo("yes");
    assertThat(eval("{\"if\": [[], \"yes\", \"no\"]}")).isEqualTo("no");
    assertThat(eval("{\"if\": [\"0\", \"yes\", \"no\"]}")).isEqualTo("yes");
    assertThat(eval("{\"if\": [0, \"a\", false, \"b\", \"c\"]}")).isEqualTo("c");
    assertThat(eval("{\"if\": [false, \"a\"]}")).isNull();
    assertThat(eval("{\"?:\": [1, \"a\", \"b\"]}")).isEqualTo("a");
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"==\": [1, 1]}|true",
        "{\"==\": [1, \"1\"]}|true",
        "{\"==\": [0, false]}|true",
        "{\"==\": [null, 0]}|false",
        "{\"==\": [null, null]}|true",
        "{\"===\": [1, \"1\"]}|false",
        "{\"===\": [1, 1.0]}|true",
        "{\"!=\": [1, \"2\"]}|true",
        "{\"!==\": [1, \"1\"]}|true",
        "{\"!\": [[]]}|true",
        "{\"!\": true}|false",
        "{\"!!\": [\"0\"]}|true",
        "{\"!!\": [0]}|false",
        "{\">\": [2, 1]}|true",
        "{\">=\": [1, 1]}|true",
        "{\"<\": [1, 2]}|true",
        "{\"<\": [\"a\", \"b\"]}|true",
        "{\"<\": [\"10\", \"9\"]}|true",
        "{\"<\": [\"10\", 9]}|false",
        "{\"<\": [1, 2, 3]}|true",
        "{\"<\": [1, 1, 3]}|false",
        "{\"<=\": [1, 1, 3]}|true",
        "{\"<=\": [1, 4, 3]}|false",
        "{\"in\": [\"Spring\", \"Springfield\"]}|true",
        "{\"in\": [\"b\", [\"a\", \"b\"]]}|true",
        "{\"in\": [1, [\"1\"]]}|false",
        "{\"all\": [[1, 2, 3], {\">\": [{\"var\": \"\"}, 0]}]}|true",
        "{\"all\": [[], {\">\": [{\"var\": \"\"}, 0]}]}|false",
        "{\"none\": [[-3, -2], {\">\": [{\"var\": \"\"}, 0]}]}|true",
        "{\"some\": [[-1, 0, 1], {\">\": [{\"var\": \"\"}, 0]}]}|true"
      })
  void comparisonsAndBooleanOperations(String rule, boolean expected) {
    assertThat(eval(rule)).isEqualTo(expected);
  }

  @Test
  void orAndReturnTheDecidingValue() {
    assertThat(eval("{\"or\": [false, 0, \"a\"]}")).isEqualTo("a");
    assertThat(eval("{\"or\": [false, 0]}")).isEqualTo(0.0);
    assertThat(eval("{\"and\": [true, \"\", 3]}")).isEqualTo("");
    assertThat(eval("{\"and\": [true, \"a\", 3]}")).isEqualTo(3.0);
  }

  @Test
  void arithmeticFollowsJavaScript() {
    assertThat(eval("{\"+\": [4, 2]}")).isEqualTo(6.0);
    assertThat(eval("{\"+\": [2, 2, 2, 2]}")).isEqualTo(8.0);
    assertThat(eval("{\"+\": \"3.14\"}")).isEqualTo(3.14);
    assertThat(eval("{\"-\": [4, 2]}")).isEqualTo(2.0);
    assertThat(eval("{\"-\": 2}")).isEqualTo(-2.0);
    assertThat(eval("{\"*\": [2, \"3\"]}")).isEqualTo(6.0);
    assertThat(eval("{\"/\": [4, 2]}")).isEqualTo(2.0);
    assertThat(eval("{\"%\": [101, 2]}")).isEqualTo(1.0);
    assertThat(eval("{\"max\": [1, 2, 3]}")).isEqualTo(3.0);
    assertThat(eval("{\"min\": [1, 2, 3]}")).isEqualTo(1.0);
    assertThat(eval("{\"min\": []}")).isNull();
  }

  @Test
  void arrayOperationsScopeVarToTheElement() {
    Map<String, Object> data = Map.of("integers", List.of(1, 2, 3, 4, 5));
    assertThat(eval("{\"map\": [{\"var\": \"integers\"}, {\"*\": [{\"var\": \"\"}, 2]}]}", data))
        .isEqualTo(List.of(2.0, 4.0, 6.0, 8.0, 10.0));
    assertThat(eval("{\"filter\": [{\"var\": \"integers\"}, {\"%\": [{\"var\": \"\"}, 2]}]}", data))
        .isEqualTo(List.of(1.0, 3.0, 5.0));
    assertThat(
            eval(
                "{\"reduce\": [{\"var\": \"integers\"},"
                    + " {\"+\": [{\"var\": \"current\"}, {\"var\": \"accumulator\"}]}, 0]}",
                data))
        .isEqualTo(15.0);
    assertThat(eval("{\"merge\": [[1, 2], [3], 4]}")).isEqualTo(List.of(1.0, 2.0, 3.0, 4.0));
    assertThat(eval("{\"map\": [{\"var\": \"nope\"}, 1]}", data)).isEqualTo(List.of());
  }

  @Test
  void stringOperations() {
    assertThat(eval("{\"cat\": [\"I love\", \" pie\"]}")).isEqualTo("I love pie");
    assertThat(eval("{\"cat\": [\"v\", 1, \".\", 2.5, null, true]}")).isEqualTo("v1.2.5nulltrue");
    assertThat(eval("{\"substr\": [\"jsonlogic\", 4]}")).isEqualTo("logic");
    assertThat(eval("{\"substr\": [\"jsonlogic\", -5]}")).isEqualTo("logic");
    assertThat(eval("{\"substr\": [\"jsonlogic\", 1, 3]}")).isEqualTo("son");
    assertThat(eval("{\"substr\": [\"jsonlogic\", 4, -2]}")).isEqualTo("log");
    assertThat(eval("{\"log\": \"apple\"}")).isEqualTo("apple");
  }

  @Test
  void customOperationsAreAvailable() {
    assertThat(eval("{\"starts_with\": [\"ada@example.com\", \"ada\"]}")).isEqualTo(true);
    assertThat(eval("{\"ends_with\": [\"ada@example.com\", \".org\"]}")).isEqualTo(false);
    assertThat(eval("{\"sem_ver\": [\"1.2.3\", \">=\", \"1.2.0\"]}")).isEqualTo(true);
  }
}
