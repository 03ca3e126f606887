package dev.sluice.flags.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.logic.Compiler;
import dev.sluice.flags.internal.logic.Node;
import dev.sluice.flags.internal.logic.Nodes;
import dev.sluice.flags.internal.logic.Path;
import dev.sluice.flags.internal.logic.Problems;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The set's {@code $evaluators}: shared rules that targeting includes with {@code {"$ref":
 * "name"}}. Each is compiled once, its problems reported once under {@code $evaluators.name}, and
 * its tree shared by every flag that refers to it (nodes are stateless). flagd substitutes the text
 * of the rule instead; the result is the same, and references between shared rules work in any
 * order here, with cycles reported.
 */
final class SharedRules implements Compiler.References {
  private static final Path ROOT = Path.root("$evaluators");

  private final Map<String, JsonNode> raw;
  private final Map<String, Compiler.Operation> operations;
  private final Problems problems;
  private final Map<String, Node> compiled = new HashMap<>();
  private final Deque<String> compiling = new ArrayDeque<>();

  SharedRules(
      Map<String, JsonNode> raw, Map<String, Compiler.Operation> operations, Problems problems) {
    this.raw = new LinkedHashMap<>(raw);
    this.operations = operations;
    this.problems = problems;
  }

  /** Compiles every shared rule, so that unused ones are checked too. */
  void compileAll() {
    for (String name : raw.keySet()) {
      compile(name, ROOT.key(name));
    }
  }

  @Override
  public @Nullable Node resolve(String name, Path path, Problems reportTo) {
    if (!raw.containsKey(name)) {
      reportTo.add(
          path,
          "\"" + name + "\"",
          raw.isEmpty()
              ? "the name of a shared rule, but $evaluators defines none"
              : "one of the $evaluators: " + String.join(", ", raw.keySet()));
      return null;
    }
    return compile(name, path);
  }

  private Node compile(String name, Path referencedFrom) {
    Node done = compiled.get(name);
    if (done != null) {
      return done;
    }
    if (compiling.contains(name)) {
      List<String> cycle = new ArrayList<>();
      compiling.descendingIterator().forEachRemaining(cycle::add);
      cycle.add(name);
      problems.add(
          referencedFrom,
          "\"" + name + "\"",
          "a reference that does not loop back (" + String.join(" -> ", cycle) + ")");
      return Nodes.constant(null);
    }
    compiling.push(name);
    Node node =
        new Compiler(operations, this, problems, null).compileRule(raw.get(name), ROOT.key(name));
    compiling.pop();
    compiled.put(name, node);
    return node;
  }

  /** The names of shared rules {@code json} refers to, directly or through other shared rules. */
  List<String> referencedBy(JsonNode json) {
    List<String> out = new ArrayList<>();
    collect(json, out);
    out.sort(null);
    return out;
  }

  private void collect(JsonNode json, List<String> out) {
    if (json.isObject()) {
      JsonNode ref = json.get("$ref");
      if (json.size() == 1 && ref != null && ref.isTextual()) {
        String name = ref.textValue();
        if (!out.contains(name) && raw.containsKey(name)) {
          out.add(name);
          collect(raw.get(name), out);
        }
        return;
      }
      json.forEach(child -> collect(child, out));
    } else if (json.isArray()) {
      json.forEach(child -> collect(child, out));
    }
  }

  JsonNode raw(String name) {
    return raw.get(name);
  }
}
