package dev.sluice.flags.internal.flagd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.logic.Compiler;
import dev.sluice.flags.internal.logic.Frame;
import dev.sluice.flags.internal.logic.Node;
import dev.sluice.flags.internal.logic.Nodes;
import dev.sluice.flags.internal.logic.Path;
import dev.sluice.flags.internal.logic.RuleFailure;
import java.util.List;

/**
 * flagd's {@code starts_with} and {@code ends_with}: {@code {"starts_with": [{"var": "email"},
 * "admin@"]}}. Both arguments must be strings; anything else is invalid input, so a number in the
 * context serves the default variant rather than a "false" branch (flagd-testbed, string.feature).
 */
final class StringComparison extends Node {
  private final Node value;
  private final Node affix;
  private final boolean prefix;

  private StringComparison(Node value, Node affix, boolean prefix) {
    this.value = value;
    this.affix = affix;
    this.prefix = prefix;
  }

  static Node compile(Compiler c, List<JsonNode> args, Path path, boolean prefix) {
    if (!c.arity(args, path, 2, 2)) {
      return Nodes.constant(null);
    }
    for (int i = 0; i < 2; i++) {
      JsonNode arg = args.get(i);
      if (!arg.isTextual() && !arg.isObject()) {
        c.problems().add(path.index(i), arg, "a string, or an expression giving one");
      }
    }
    List<Node> nodes = c.compileAll(args, path);
    return new StringComparison(nodes.get(0), nodes.get(1), prefix);
  }

  @Override
  public Object eval(Frame frame) {
    return evalTruthy(frame);
  }

  @Override
  public boolean evalTruthy(Frame frame) {
    if (!(value.eval(frame) instanceof String s) || !(affix.eval(frame) instanceof String a)) {
      throw RuleFailure.INVALID_INPUT;
    }
    return prefix ? s.startsWith(a) : s.endsWith(a);
  }
}
