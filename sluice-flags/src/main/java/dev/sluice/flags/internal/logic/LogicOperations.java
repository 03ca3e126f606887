package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Branching, boolean logic, equality and ordering. */
final class LogicOperations {
  private LogicOperations() {}

  static void register(Map<String, Compiler.Operation> ops) {
    ops.put("if", LogicOperations::conditional);
    ops.put("?:", LogicOperations::conditional);
    ops.put(
        "or", (c, args, path, result) -> new OrAnd(compileResults(c, args, path, result), true));
    ops.put(
        "and", (c, args, path, result) -> new OrAnd(compileResults(c, args, path, result), false));
    ops.put("!", (c, args, path, result) -> unary(c, args, path, true));
    ops.put("!!", (c, args, path, result) -> unary(c, args, path, false));
    ops.put("==", (c, args, path, result) -> equality(c, args, path, false, false));
    ops.put("!=", (c, args, path, result) -> equality(c, args, path, false, true));
    ops.put("===", (c, args, path, result) -> equality(c, args, path, true, false));
    ops.put("!==", (c, args, path, result) -> equality(c, args, path, true, true));
    ops.put("<", (c, args, path, result) -> ordering(c, args, path, false, false));
    ops.put("<=", (c, args, path, result) -> ordering(c, args, path, true, false));
    ops.put(">", (c, args, path, result) -> ordering(c, args, path, false, true));
    ops.put(">=", (c, args, path, result) -> ordering(c, args, path, true, true));
  }

  private static List<Node> compileResults(
      Compiler c, List<JsonNode> args, Path path, boolean result) {
    List<Node> out = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      out.add(c.compile(args.get(i), Compiler.argPath(path, args, i), result));
    }
    return out;
  }

  private static Node conditional(Compiler c, List<JsonNode> args, Path path, boolean result) {
    List<Node> nodes = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      // Conditions sit at even positions; branches and the trailing else can be the result.
      boolean branch = i % 2 == 1 || i == args.size() - 1;
      nodes.add(c.compile(args.get(i), Compiler.argPath(path, args, i), result && branch));
    }
    return new If(nodes.toArray(new Node[0]));
  }

  private static Node unary(Compiler c, List<JsonNode> args, Path path, boolean negate) {
    if (!c.arity(args, path, 1, 1)) {
      return Nodes.constant(null);
    }
    return new Not(c.compileAll(args, path).get(0), negate);
  }

  private static Node equality(
      Compiler c, List<JsonNode> args, Path path, boolean strict, boolean negate) {
    if (!c.arity(args, path, 2, 2)) {
      return Nodes.constant(null);
    }
    List<Node> nodes = c.compileAll(args, path);
    return new Equality(nodes.get(0), nodes.get(1), strict, negate);
  }

  private static Node ordering(
      Compiler c, List<JsonNode> args, Path path, boolean orEqual, boolean greater) {
    // JSON Logic's between form ({"<": [a, b, c]}) exists for < and <= only.
    if (!c.arity(args, path, 2, greater ? 2 : 3)) {
      return Nodes.constant(null);
    }
    List<Node> nodes = c.compileAll(args, path);
    if (greater) {
      return new Ordering(new Node[] {nodes.get(1), nodes.get(0)}, orEqual);
    }
    return new Ordering(nodes.toArray(new Node[0]), orEqual);
  }

  /** {@code if} with any number of condition/branch pairs and an optional else. */
  static final class If extends Node {
    private final Node[] args;

    If(Node[] args) {
      this.args = args;
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      int i = 0;
      for (; i + 1 < args.length; i += 2) {
        if (args[i].evalTruthy(frame)) {
          return args[i + 1].eval(frame);
        }
      }
      return i < args.length ? args[i].eval(frame) : null;
    }
  }

  /** {@code or} returns the first truthy argument, {@code and} the first falsy; else the last. */
  static final class OrAnd extends Node {
    private final Node[] args;
    private final boolean or;

    OrAnd(List<Node> args, boolean or) {
      this.args = args.toArray(new Node[0]);
      this.or = or;
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      Object value = null;
      for (Node arg : args) {
        value = arg.eval(frame);
        if (Values.truthy(value) == or) {
          return value;
        }
      }
      return value;
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      for (Node arg : args) {
        if (arg.evalTruthy(frame) == or) {
          return or;
        }
      }
      return args.length > 0 && !or;
    }
  }

  static final class Not extends Node {
    private final Node arg;
    private final boolean negate;

    Not(Node arg, boolean negate) {
      this.arg = arg;
      this.negate = negate;
    }

    @Override
    public Object eval(Frame frame) {
      return evalTruthy(frame);
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      return arg.evalTruthy(frame) != negate;
    }
  }

  static final class Equality extends Node {
    private final Node left;
    private final Node right;
    private final boolean strict;
    private final boolean negate;
    private final boolean numeric;

    Equality(Node left, Node right, boolean strict, boolean negate) {
      this.left = left;
      this.right = right;
      this.strict = strict;
      this.negate = negate;
      this.numeric = left.isNumeric() && right.isNumeric();
    }

    @Override
    public Object eval(Frame frame) {
      return evalTruthy(frame);
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      boolean equal;
      if (numeric) {
        equal = left.evalNumber(frame) == right.evalNumber(frame);
      } else {
        Object a = left.eval(frame);
        Object b = right.eval(frame);
        equal = strict ? Values.strictEquals(a, b) : Values.looseEquals(a, b);
      }
      return equal != negate;
    }
  }

  /** {@code <}, {@code <=} (with two or three operands) and, with swapped operands, > and >=. */
  static final class Ordering extends Node {
    private final Node[] args;
    private final boolean orEqual;
    private final boolean numeric;

    Ordering(Node[] args, boolean orEqual) {
      this.args = args;
      this.orEqual = orEqual;
      // JavaScript compares as strings only when both sides are strings; a number on either
      // side of every pair makes the whole chain numeric, so the unboxed path is exact.
      boolean everyPairNumeric = true;
      for (int i = 1; i < args.length; i++) {
        everyPairNumeric &= args[i - 1].isNumeric() || args[i].isNumeric();
      }
      this.numeric = everyPairNumeric;
    }

    @Override
    public Object eval(Frame frame) {
      return evalTruthy(frame);
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      if (numeric) {
        double previous = args[0].evalNumber(frame);
        for (int i = 1; i < args.length; i++) {
          double next = args[i].evalNumber(frame);
          if (!holds(Values.compareNumbers(previous, next))) {
            return false;
          }
          previous = next;
        }
        return true;
      }
      Object previous = args[0].eval(frame);
      for (int i = 1; i < args.length; i++) {
        Object next = args[i].eval(frame);
        if (!holds(Values.compare(previous, next))) {
          return false;
        }
        previous = next;
      }
      return true;
    }

    private boolean holds(int comparison) {
      if (comparison == Integer.MIN_VALUE) {
        return false;
      }
      return orEqual ? comparison <= 0 : comparison < 0;
    }
  }
}
