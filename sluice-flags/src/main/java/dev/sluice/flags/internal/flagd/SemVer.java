package dev.sluice.flags.internal.flagd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.logic.Compiler;
import dev.sluice.flags.internal.logic.Frame;
import dev.sluice.flags.internal.logic.Node;
import dev.sluice.flags.internal.logic.Nodes;
import dev.sluice.flags.internal.logic.Path;
import dev.sluice.flags.internal.logic.RuleFailure;
import dev.sluice.flags.internal.logic.Values;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * flagd's {@code sem_ver}: {@code {"sem_ver": [version, operator, version]}} with the operators
 * {@code =}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code ^} (same major
 * version) and {@code ~} (same major and minor version). Versions are parsed by {@link
 * SemanticVersion}; a number is read as its text (2 is 2.0.0). A value that is not a version, or an
 * unknown operator, is invalid input. Literal versions are parsed once, at load time.
 */
final class SemVer extends Node {
  private static final Set<String> OPERATORS = Set.of("=", "!=", "<", "<=", ">", ">=", "^", "~");

  private final Node left;
  private final Node operator;
  private final Node right;
  private final @Nullable SemanticVersion fixedRight;

  private SemVer(Node left, Node operator, Node right) {
    this.left = left;
    this.operator = operator;
    this.right = right;
    this.fixedRight = right.isConstant() ? version(Nodes.valueOf(right)) : null;
  }

  static Node compile(Compiler c, List<JsonNode> args, Path path, boolean result) {
    if (!c.arity(args, path, 3, 3)) {
      return Nodes.constant(null);
    }
    for (int i = 0; i < 3; i += 2) {
      JsonNode arg = args.get(i);
      if ((arg.isTextual() || arg.isNumber())
          && version(arg.isTextual() ? arg.textValue() : arg.doubleValue()) == null) {
        c.problems().add(path.index(i), arg, "a semantic version such as 1.2.3");
      } else if (!arg.isTextual() && !arg.isNumber() && !arg.isObject()) {
        c.problems().add(path.index(i), arg, "a semantic version such as 1.2.3, or {\"var\": ...}");
      }
    }
    JsonNode op = args.get(1);
    if (!op.isObject() && !(op.isTextual() && OPERATORS.contains(op.textValue()))) {
      c.problems().add(path.index(1), op, "one of =, !=, <, <=, >, >=, ^, ~");
    }
    List<Node> nodes = c.compileAll(args, path);
    return new SemVer(nodes.get(0), nodes.get(1), nodes.get(2));
  }

  private static @Nullable SemanticVersion version(@Nullable Object value) {
    if (value instanceof String s) {
      return SemanticVersion.parse(s);
    }
    if (value instanceof Double d) {
      return SemanticVersion.parse(Values.numberToString(d));
    }
    return null;
  }

  @Override
  public Object eval(Frame frame) {
    return evalTruthy(frame);
  }

  @Override
  public boolean evalTruthy(Frame frame) {
    SemanticVersion a = version(left.eval(frame));
    Object op = operator.eval(frame);
    SemanticVersion b = fixedRight != null ? fixedRight : version(right.eval(frame));
    if (a == null || b == null || !(op instanceof String o)) {
      throw RuleFailure.INVALID_INPUT;
    }
    return switch (o) {
      case "=" -> a.compareTo(b) == 0;
      case "!=" -> a.compareTo(b) != 0;
      case "<" -> a.compareTo(b) < 0;
      case "<=" -> a.compareTo(b) <= 0;
      case ">" -> a.compareTo(b) > 0;
      case ">=" -> a.compareTo(b) >= 0;
      case "^" -> a.sameMajor(b);
      case "~" -> a.sameMinor(b);
      default -> throw RuleFailure.INVALID_INPUT;
    };
  }
}
