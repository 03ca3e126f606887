package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code +}, {@code -}, {@code *}, {@code /}, {@code %}, {@code min} and {@code max}. */
final class MathOperations {
  private MathOperations() {}

  private enum Kind {
    ADD,
    MULTIPLY,
    SUBTRACT,
    DIVIDE,
    MODULO,
    MIN,
    MAX
  }

  static void register(Map<String, Compiler.Operation> ops) {
    ops.put("+", (c, args, path, result) -> arithmetic(c, args, path, Kind.ADD, 0));
    ops.put("*", (c, args, path, result) -> arithmetic(c, args, path, Kind.MULTIPLY, 1));
    ops.put("-", (c, args, path, result) -> arithmetic(c, args, path, Kind.SUBTRACT, 1));
    ops.put("/", (c, args, path, result) -> arithmetic(c, args, path, Kind.DIVIDE, 2));
    ops.put("%", (c, args, path, result) -> arithmetic(c, args, path, Kind.MODULO, 2));
    ops.put("min", (c, args, path, result) -> arithmetic(c, args, path, Kind.MIN, 0));
    ops.put("max", (c, args, path, result) -> arithmetic(c, args, path, Kind.MAX, 0));
  }

  private static Node arithmetic(Compiler c, List<JsonNode> args, Path path, Kind kind, int min) {
    int max =
        kind == Kind.SUBTRACT || kind == Kind.DIVIDE || kind == Kind.MODULO ? 2 : Integer.MAX_VALUE;
    if (!c.arity(args, path, min, max)) {
      return Nodes.constant(null);
    }
    return new Arithmetic(c.compileAll(args, path).toArray(new Node[0]), kind);
  }

  static final class Arithmetic extends Node {
    private final Node[] args;
    private final Kind kind;

    Arithmetic(Node[] args, Kind kind) {
      this.args = args;
      this.kind = kind;
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      if ((kind == Kind.MIN || kind == Kind.MAX) && args.length == 0) {
        return null;
      }
      return Values.box(evalNumber(frame));
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      if ((kind == Kind.MIN || kind == Kind.MAX) && args.length == 0) {
        return false;
      }
      double d = evalNumber(frame);
      return d != 0 && !Double.isNaN(d);
    }

    @Override
    public double evalNumber(Frame frame) {
      switch (kind) {
        case ADD:
          {
            double sum = 0;
            for (Node arg : args) {
              sum += arg.evalNumber(frame);
            }
            return sum;
          }
        case MULTIPLY:
          {
            double product = 1;
            for (Node arg : args) {
              product *= arg.evalNumber(frame);
            }
            return product;
          }
        case SUBTRACT:
          return args.length == 1
              ? -args[0].evalNumber(frame)
              : args[0].evalNumber(frame) - args[1].evalNumber(frame);
        case DIVIDE:
          return args[0].evalNumber(frame) / args[1].evalNumber(frame);
        case MODULO:
          return args[0].evalNumber(frame) % args[1].evalNumber(frame);
        case MIN:
        case MAX:
          {
            if (args.length == 0) {
              return Double.NaN;
            }
            double best = args[0].evalNumber(frame);
            for (int i = 1; i < args.length; i++) {
              double d = args[i].evalNumber(frame);
              best = kind == Kind.MIN ? Math.min(best, d) : Math.max(best, d);
            }
            return best;
          }
      }
      throw new AssertionError(kind);
    }

    @Override
    public boolean isNumeric() {
      return !((kind == Kind.MIN || kind == Kind.MAX) && args.length == 0);
    }
  }
}
