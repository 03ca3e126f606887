package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code map}, {@code filter}, {@code reduce}, {@code all}, {@code none}, {@code some}, {@code
 * merge} and {@code in}. Inside the logic of the first six, {@code var} reads the array element
 * (for {@code reduce}: {@code current} and {@code accumulator}), as in json-logic-js.
 */
final class ArrayOperations {
  private ArrayOperations() {}

  private enum Kind {
    MAP,
    FILTER,
    ALL,
    NONE,
    SOME
  }

  static void register(Map<String, Compiler.Operation> ops) {
    ops.put("map", (c, args, path, result) -> iteration(c, args, path, Kind.MAP));
    ops.put("filter", (c, args, path, result) -> iteration(c, args, path, Kind.FILTER));
    ops.put("all", (c, args, path, result) -> iteration(c, args, path, Kind.ALL));
    ops.put("none", (c, args, path, result) -> iteration(c, args, path, Kind.NONE));
    ops.put("some", (c, args, path, result) -> iteration(c, args, path, Kind.SOME));
    ops.put("reduce", ArrayOperations::reduce);
    ops.put("merge", (c, args, path, result) -> new Merge(c.compileAll(args, path)));
    ops.put(
        "in",
        (c, args, path, result) -> {
          if (!c.arity(args, path, 2, 2)) {
            return Nodes.constant(null);
          }
          List<Node> nodes = c.compileAll(args, path);
          return new In(nodes.get(0), nodes.get(1));
        });
  }

  private static Node iteration(Compiler c, List<JsonNode> args, Path path, Kind kind) {
    if (!c.arity(args, path, 2, 2)) {
      return Nodes.constant(null);
    }
    List<Node> nodes = c.compileAll(args, path);
    return new Iteration(nodes.get(0), nodes.get(1), kind);
  }

  private static Node reduce(Compiler c, List<JsonNode> args, Path path, boolean result) {
    if (!c.arity(args, path, 2, 3)) {
      return Nodes.constant(null);
    }
    List<Node> nodes = c.compileAll(args, path);
    return new Reduce(nodes.get(0), nodes.get(1), nodes.size() == 3 ? nodes.get(2) : null);
  }

  static final class Iteration extends Node {
    private final Node source;
    private final Node logic;
    private final Kind kind;

    Iteration(Node source, Node logic, Kind kind) {
      this.source = source;
      this.logic = logic;
      this.kind = kind;
    }

    @Override
    public Object eval(Frame frame) {
      Object data = source.eval(frame);
      List<?> items = data instanceof List<?> l ? l : List.of();
      Object saved = frame.scope;
      try {
        switch (kind) {
          case MAP:
            {
              List<@Nullable Object> out = new ArrayList<>(items.size());
              for (Object item : items) {
                frame.scope = item;
                out.add(logic.eval(frame));
              }
              return out;
            }
          case FILTER:
            {
              List<@Nullable Object> out = new ArrayList<>();
              for (Object item : items) {
                frame.scope = item;
                if (logic.evalTruthy(frame)) {
                  out.add(item);
                }
              }
              return out;
            }
          case ALL:
            if (items.isEmpty()) {
              return false;
            }
            for (Object item : items) {
              frame.scope = item;
              if (!logic.evalTruthy(frame)) {
                return false;
              }
            }
            return true;
          case NONE:
          case SOME:
            for (Object item : items) {
              frame.scope = item;
              if (logic.evalTruthy(frame)) {
                return kind == Kind.SOME;
              }
            }
            return kind == Kind.NONE;
        }
        throw new AssertionError(kind);
      } finally {
        frame.scope = saved;
      }
    }
  }

  static final class Reduce extends Node {
    private final Node source;
    private final Node logic;
    private final @Nullable Node initial;

    Reduce(Node source, Node logic, @Nullable Node initial) {
      this.source = source;
      this.logic = logic;
      this.initial = initial;
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      Object accumulator = initial == null ? null : initial.eval(frame);
      if (!(source.eval(frame) instanceof List<?> items)) {
        return accumulator;
      }
      Object saved = frame.scope;
      Data.ReduceScope scope = new Data.ReduceScope();
      try {
        frame.scope = scope;
        for (Object item : items) {
          scope.current = item;
          scope.accumulator = accumulator;
          accumulator = logic.eval(frame);
        }
        return accumulator;
      } finally {
        frame.scope = saved;
      }
    }
  }

  /** Concatenates arrays, one level deep; other values are appended. */
  static final class Merge extends Node {
    private final Node[] args;

    Merge(List<Node> args) {
      this.args = args.toArray(new Node[0]);
    }

    @Override
    public Object eval(Frame frame) {
      List<@Nullable Object> out = new ArrayList<>();
      for (Node arg : args) {
        Object value = arg.eval(frame);
        if (value instanceof List<?> l) {
          out.addAll(l);
        } else {
          out.add(value);
        }
      }
      return out;
    }
  }

  /** Membership in an array (strict equality) or substring of a string. */
  static final class In extends Node {
    private final Node needle;
    private final Node haystack;

    In(Node needle, Node haystack) {
      this.needle = needle;
      this.haystack = haystack;
    }

    @Override
    public Object eval(Frame frame) {
      return evalTruthy(frame);
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      Object where = haystack.eval(frame);
      Object what = needle.eval(frame);
      if (where instanceof String s) {
        return s.contains(Values.toJsString(what));
      }
      if (where instanceof List<?> list) {
        for (Object item : list) {
          if (Values.strictEquals(what, item)) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
