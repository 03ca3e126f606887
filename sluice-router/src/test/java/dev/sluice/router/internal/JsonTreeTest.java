package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shadow comparison's JSON reader, pointers (RFC 6901) and differences. */
class JsonTreeTest {

  private static Object parse(String json) throws JsonTree.NotJson {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return JsonTree.parse(b, b.length);
  }

  private static List<String> diff(String a, String b, String... ignore) throws Exception {
    Object x = parse(a);
    Object y = parse(b);
    for (String p : ignore) {
      x = JsonTree.ignore(x, p);
      y = JsonTree.ignore(y, p);
    }
    List<String> out = new ArrayList<>();
    JsonTree.diff(x, y, "", out, 10);
    return out;
  }

  @Test
  void memberOrderWhitespaceAndNumberSpellingDoNotMatter() throws Exception {
    assertThat(
            diff(
                "{\"a\":1.0,\"b\":[true,null,\"x\"]}",
                " { \"b\" : [ true , null , \"x\" ] , \"a\" : 1 } "))
        .isEmpty();
    assertThat(diff("{\"n\": 1e2}", "{\"n\": 100}")).isEmpty();
    assertThat(diff("{\"s\": \"\\u00e9\\n\"}", "{\"s\": \"é\\n\"}")).isEmpty();
  }

  @Test
  void differencesAreNamedByTheirPointers() throws Exception {
    assertThat(diff("{\"a\":{\"b/c\":1},\"l\":[1,2]}", "{\"a\":{\"b/c\":2},\"l\":[1,2,3],\"z\":0}"))
        .containsExactly("/a/b~1c", "/l/2", "/z");
    assertThat(diff("[1]", "{}")).containsExactly("");
  }

  @Test
  void ignoredPointersLeaveValuesOutOnBothSides() throws Exception {
    assertThat(
            diff(
                "{\"t\":1,\"items\":[{\"id\":1}]}",
                "{\"t\":2,\"items\":[{\"id\":9}]}",
                "/t",
                "/items/0/id"))
        .isEmpty();
    assertThat(diff("{\"t\":1}", "{}", "/t"))
        .as("ignored on one side, missing on the other")
        .isEmpty();
    assertThat(diff("{\"a\":1}", "{\"a\":2}", "/nothing/here", "/a/0")).containsExactly("/a");
    assertThat(diff("{\"a\":1}", "[2]", "")).isEmpty();
  }

  @Test
  void textThatIsNotOneJsonValueIsRefused() {
    for (String bad :
        new String[] {"", "{", "{\"a\":}", "[1,]", "01", "1 2", "\"a", "nul", "{\"a\" 1}"}) {
      assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(JsonTree.NotJson.class);
    }
  }
}
