package dev.sluice.core.spec.internal;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Writes a YAML node tree as compact JSON, keeping scalar types (a quoted {@code "2"} stays a
 * string), so that the JSON read back gives the same spec. Used for release snapshots.
 */
public final class NodeJson {
  private NodeJson() {}

  public static String write(Node node) {
    StringBuilder b = new StringBuilder();
    write(node, b);
    return b.toString();
  }

  private static void write(Node node, StringBuilder b) {
    if (node instanceof MappingNode m) {
      b.append('{');
      boolean first = true;
      for (NodeTuple t : m.getValue()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        string(((ScalarNode) t.getKeyNode()).getValue(), b);
        b.append(':');
        write(t.getValueNode(), b);
      }
      b.append('}');
    } else if (node instanceof SequenceNode s) {
      b.append('[');
      boolean first = true;
      for (Node n : s.getValue()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(n, b);
      }
      b.append(']');
    } else {
      ScalarNode s = (ScalarNode) node;
      Tag tag = s.getTag();
      if (Tag.NULL.equals(tag)) {
        b.append("null");
      } else if (Tag.BOOL.equals(tag)) {
        b.append(s.getValue().toLowerCase(java.util.Locale.ROOT));
      } else if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
        String v = s.getValue().replace("_", "");
        b.append(isJsonNumber(v) ? v : "\"" + v + "\"");
      } else {
        string(s.getValue(), b);
      }
    }
  }

  private static boolean isJsonNumber(String v) {
    return v.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
