package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code cat}, {@code substr} and {@code log}. */
final class StringOperations {
  private StringOperations() {}

  static void register(Map<String, Compiler.Operation> ops) {
    ops.put("cat", (c, args, path, result) -> new Cat(c.compileAll(args, path)));
    ops.put(
        "substr",
        (c, args, path, result) -> {
          if (!c.arity(args, path, 2, 3)) {
            return Nodes.constant(null);
          }
          List<Node> nodes = c.compileAll(args, path);
          return new Substr(nodes.get(0), nodes.get(1), nodes.size() == 3 ? nodes.get(2) : null);
        });
    ops.put("log", StringOperations::log);
  }

  /**
   * {@code log} returns its argument. json-logic-js also prints it to the console; a flag engine
   * serving many requests should not write per-evaluation output, so nothing is printed.
   */
  private static Node log(Compiler c, List<JsonNode> args, Path path, boolean result) {
    if (!c.arity(args, path, 1, 1)) {
      return Nodes.constant(null);
    }
    return c.compile(args.get(0), Compiler.argPath(path, args, 0), result);
  }

  static final class Cat extends Node {
    private final Node[] args;

    Cat(List<Node> args) {
      this.args = args.toArray(new Node[0]);
    }

    @Override
    public Object eval(Frame frame) {
      if (args.length == 1) {
        return Values.toJsString(args[0].eval(frame));
      }
      StringBuilder sb = new StringBuilder();
      for (Node arg : args) {
        sb.append(Values.toJsString(arg.eval(frame)));
      }
      return sb.toString();
    }
  }

  /** JavaScript's substr(start, length), with json-logic-js's negative length meaning "drop". */
  static final class Substr extends Node {
    private final Node source;
    private final Node start;
    private final @Nullable Node length;

    Substr(Node source, Node start, @Nullable Node length) {
      this.source = source;
      this.start = start;
      this.length = length;
    }

    @Override
    public Object eval(Frame frame) {
      String s = Values.toJsString(source.eval(frame));
      int n = s.length();
      int from = clampIndex(start.evalNumber(frame), n);
      String rest = s.substring(from);
      if (length == null) {
        return rest;
      }
      double len = length.evalNumber(frame);
      if (Double.isNaN(len)) {
        return "";
      }
      int count =
          len < 0 ? Math.max(0, rest.length() + (int) len) : (int) Math.min(len, rest.length());
      return rest.substring(0, count);
    }

    private static int clampIndex(double start, int n) {
      if (Double.isNaN(start)) {
        return 0;
      }
      long s = (long) start;
      if (s < 0) {
        s = Math.max(0, n + s);
      }
      return (int) Math.min(s, n);
    }
  }
}
