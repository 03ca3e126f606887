package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a JSON Logic rule into a tree of {@link Node}s once, when a flag set is loaded, and
 * reports everything wrong with it on the way.
 *
 * <p>Besides syntax (unknown operations, wrong numbers of arguments), the compiler knows which
 * parts of a rule can become the rule's result ("result positions": the branches of {@code if}, the
 * arguments of {@code or}/{@code and}, the variants of {@code fractional}). A literal there is a
 * variant name, so one that names no variant is reported, with the variants that exist: at
 * evaluation time it would be an error for every subject that reaches it.
 */
public final class Compiler {
  /** Compiles one operation from its raw arguments. */
  @FunctionalInterface
  public interface Operation {
    /**
     * Compiles {@code args} of the operation at {@code path}; {@code result} tells whether the
     * operation's value becomes the rule's result.
     */
    Node compile(Compiler compiler, List<JsonNode> args, Path path, boolean result);
  }

  /** Resolves a {@code {"$ref": name}} to the compiled shared rule, or reports a problem. */
  @FunctionalInterface
  public interface References {
    /** The compiled rule named {@code name}; reports and returns null when there is none. */
    @Nullable Node resolve(String name, Path path, Problems problems);
  }

  private final Map<String, Operation> operations;
  private final References references;
  private final Problems problems;
  private final @Nullable List<String> variants;

  /**
   * A compiler for the given operations. {@code variants} are the flag's variant names for the
   * result-position check, or null to skip it (for shared rules, which serve many flags).
   */
  public Compiler(
      Map<String, Operation> operations,
      References references,
      Problems problems,
      @Nullable List<String> variants) {
    this.operations = operations;
    this.references = references;
    this.problems = problems;
    this.variants = variants;
  }

  /** The standard JSON Logic operations. */
  public static Map<String, Operation> standardOperations() {
    Map<String, Operation> ops = new HashMap<>();
    StandardOperations.register(ops);
    return ops;
  }

  /** Where problems go. */
  public Problems problems() {
    return problems;
  }

  /** Compiles a flag's {@code targeting} object, whose value is the rule's result. */
  public Node compileRule(JsonNode rule, Path path) {
    return compile(rule, path, true);
  }

  /** Compiles any JSON value in a rule: a literal, an array of values or an operation. */
  public Node compile(JsonNode json, Path path, boolean result) {
    switch (json.getNodeType()) {
      case OBJECT:
        return compileOperation(json, path, result);
      case ARRAY:
        {
          List<Node> items = new ArrayList<>(json.size());
          for (int i = 0; i < json.size(); i++) {
            items.add(compile(json.get(i), path.index(i), false));
          }
          return Nodes.array(items);
        }
      case STRING:
        if (result) {
          checkVariant(json.textValue(), json, path);
        }
        return Nodes.constant(json.textValue());
      case BOOLEAN:
        if (result) {
          checkVariant(json.booleanValue() ? "true" : "false", json, path);
        }
        return Nodes.constant(json.booleanValue());
      case NUMBER:
        if (result) {
          checkVariant(Values.numberToString(json.doubleValue()), json, path);
        }
        return Nodes.constant(json.doubleValue());
      case NULL:
        return Nodes.constant(null);
      default:
        problems.add(path, json, "a JSON value");
        return Nodes.constant(null);
    }
  }

  /** Compiles every argument; none of them is in a result position. */
  public List<Node> compileAll(List<JsonNode> args, Path path) {
    List<Node> out = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      out.add(compile(args.get(i), argPath(path, args, i), false));
    }
    return out;
  }

  /** The path of argument {@code i}: {@code op[i]}, or {@code op} when it was given bare. */
  public static Path argPath(Path opPath, List<JsonNode> args, int i) {
    return args instanceof BareArgument ? opPath : opPath.index(i);
  }

  /**
   * Reports when the number of arguments is outside {@code min..max}; returns true when it is
   * within.
   */
  public boolean arity(List<JsonNode> args, Path path, int min, int max) {
    int n = args.size();
    if (n >= min && n <= max) {
      return true;
    }
    String expected;
    if (min == max) {
      expected = min + (min == 1 ? " argument" : " arguments");
    } else if (max == Integer.MAX_VALUE) {
      expected = "at least " + min + (min == 1 ? " argument" : " arguments");
    } else {
      expected = min + " to " + max + " arguments";
    }
    problems.add(path, n + (n == 1 ? " argument" : " arguments"), expected);
    return false;
  }

  /** Reports a literal in a result position that names no variant of the flag. */
  public void checkVariant(String name, JsonNode literal, Path path) {
    if (variants != null && !variants.contains(name)) {
      problems.add(path, literal, "one of the variants: " + String.join(", ", variants));
    }
  }

  private Node compileOperation(JsonNode json, Path path, boolean result) {
    if (json.size() != 1) {
      problems.add(
          path,
          json,
          json.isEmpty()
              ? "an operation such as {\"==\": [a, b]}"
              : "one operation per object, e.g. {\"and\": [...]} to combine several");
      return Nodes.constant(null);
    }
    Map.Entry<String, JsonNode> entry = json.properties().iterator().next();
    String op = entry.getKey();
    JsonNode raw = entry.getValue();
    Path opPath = path.key(op);
    if (op.equals("$ref")) {
      if (!raw.isTextual()) {
        problems.add(opPath, raw, "the name of a shared rule in $evaluators");
        return Nodes.constant(null);
      }
      Node resolved = references.resolve(raw.textValue(), opPath, problems);
      return resolved == null ? Nodes.constant(null) : resolved;
    }
    Operation operation = operations.get(op);
    if (operation == null) {
      problems.add(opPath, "{\"" + op + "\": ...}", "a known operation: " + known());
      return Nodes.constant(null);
    }
    List<JsonNode> args;
    if (raw.isArray()) {
      args = new ArrayList<>(raw.size());
      raw.forEach(args::add);
    } else {
      // JSON Logic allows a single argument without the array: {"!": true}.
      args = new BareArgument(raw);
    }
    return operation.compile(this, args, opPath, result);
  }

  private String known() {
    return String.join(", ", new TreeSet<>(operations.keySet()));
  }

  /** A single argument given without the surrounding array. */
  private static final class BareArgument extends java.util.AbstractList<JsonNode> {
    private final JsonNode arg;

    BareArgument(JsonNode arg) {
      this.arg = arg;
    }

    @Override
    public JsonNode get(int index) {
      if (index != 0) {
        throw new IndexOutOfBoundsException(index);
      }
      return arg;
    }

    @Override
    public int size() {
      return 1;
    }
  }

  /** An unmodifiable empty list, for operations given no arguments. */
  static List<Node> none() {
    return Collections.emptyList();
  }
}
