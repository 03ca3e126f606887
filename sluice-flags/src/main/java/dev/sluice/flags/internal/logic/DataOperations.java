package dev.sluice.flags.internal.logic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code var}, {@code missing} and {@code missing_some}: reading the data. */
final class DataOperations {
  private static final String[] WHOLE = new String[0];

  private DataOperations() {}

  static void register(Map<String, Compiler.Operation> ops) {
    ops.put("var", DataOperations::var);
    ops.put("missing", (c, args, path, result) -> new Missing(c.compileAll(args, path)));
    ops.put(
        "missing_some",
        (c, args, path, result) -> {
          if (!c.arity(args, path, 2, 2)) {
            return Nodes.constant(null);
          }
          List<Node> nodes = c.compileAll(args, path);
          return new MissingSome(nodes.get(0), nodes.get(1));
        });
  }

  private static Node var(Compiler c, List<JsonNode> args, Path path, boolean result) {
    if (!c.arity(args, path, 0, 2)) {
      return Nodes.constant(null);
    }
    Node fallback = args.size() == 2 ? c.compile(args.get(1), path.index(1), false) : null;
    if (args.isEmpty()) {
      return new Var(WHOLE, null, fallback);
    }
    JsonNode name = args.get(0);
    Path namePath = Compiler.argPath(path, args, 0);
    if (name.isTextual() || name.isNumber() || name.isNull()) {
      String text =
          name.isNull()
              ? ""
              : name.isTextual() ? name.textValue() : Values.numberToString(name.doubleValue());
      if (text.startsWith("$flagd.")
          && !text.equals("$flagd.flagKey")
          && !text.equals("$flagd.timestamp")) {
        c.problems()
            .add(namePath, name, "$flagd.flagKey or $flagd.timestamp, the values flagd provides");
      }
      if (text.equals("$flagd.timestamp") && fallback == null) {
        return new Timestamp();
      }
      return new Var(text.isEmpty() ? WHOLE : text.split("\\.", -1), null, fallback);
    }
    if (name.isObject()) {
      return new Var(WHOLE, c.compile(name, namePath, false), fallback);
    }
    c.problems().add(namePath, name, "a data path such as \"user.email\"");
    return Nodes.constant(null);
  }

  /** {@code {"var": "a.b"}}, or {@code {"var": ["a.b", default]}}. */
  static final class Var extends Node {
    private final String[] path;
    private final @Nullable Node dynamicPath;
    private final @Nullable Node fallback;

    Var(String[] path, @Nullable Node dynamicPath, @Nullable Node fallback) {
      this.path = path;
      this.dynamicPath = dynamicPath;
      this.fallback = fallback;
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      String[] p = path;
      if (dynamicPath != null) {
        String text = Values.toJsString(dynamicPath.eval(frame));
        p = text.isEmpty() ? WHOLE : text.split("\\.", -1);
      }
      Object value = Data.lookup(frame, p);
      if (value == Data.ABSENT) {
        return fallback == null ? null : fallback.eval(frame);
      }
      return value;
    }
  }

  /** {@code {"var": "$flagd.timestamp"}}: the evaluation time in Unix seconds, unboxed. */
  static final class Timestamp extends Node {
    private static final String[] PATH = {"$flagd", "timestamp"};

    @Override
    public @Nullable Object eval(Frame frame) {
      if (frame.scope == Frame.ROOT) {
        return Values.box(frame.timestamp());
      }
      Object value = Data.lookup(frame, PATH);
      return value == Data.ABSENT ? null : value;
    }

    @Override
    public double evalNumber(Frame frame) {
      return frame.scope == Frame.ROOT ? frame.timestamp() : Values.toNumber(eval(frame));
    }

    @Override
    public boolean isNumeric() {
      return true;
    }
  }

  /** Lists the keys (as {@code var} paths) whose value is absent, null or "". */
  static List<Object> missing(Frame frame, @Nullable Object[] keys) {
    List<Object> out = new ArrayList<>();
    for (Object key : keys) {
      String text = Values.toJsString(key);
      Object value = Data.lookup(frame, text.isEmpty() ? WHOLE : text.split("\\.", -1));
      if (value == Data.ABSENT || value == null || "".equals(value)) {
        out.add(key == null ? "null" : key);
      }
    }
    return out;
  }

  static final class Missing extends Node {
    private final Node[] args;

    Missing(List<Node> args) {
      this.args = args.toArray(new Node[0]);
    }

    @Override
    public Object eval(Frame frame) {
      Object[] keys;
      Object first = args.length > 0 ? args[0].eval(frame) : null;
      if (first instanceof List<?> list) {
        keys = list.toArray();
      } else {
        keys = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
          keys[i] = i == 0 ? first : args[i].eval(frame);
        }
      }
      return missing(frame, keys);
    }
  }

  static final class MissingSome extends Node {
    private final Node need;
    private final Node keys;

    MissingSome(Node need, Node keys) {
      this.need = need;
      this.keys = keys;
    }

    @Override
    public Object eval(Frame frame) {
      double required = need.evalNumber(frame);
      Object list = keys.eval(frame);
      Object[] names = list instanceof List<?> l ? l.toArray() : new Object[] {list};
      List<Object> absent = missing(frame, names);
      return names.length - absent.size() >= required ? List.of() : absent;
    }
  }
}
