package dev.sluice.flags.internal.logic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Literal nodes: constants and arrays of expressions. */
public final class Nodes {
  private static final Node NULL = new Const(null);
  private static final Node TRUE = new Const(Boolean.TRUE);
  private static final Node FALSE = new Const(Boolean.FALSE);

  private Nodes() {}

  /** A node that always yields {@code value}. */
  public static Node constant(@Nullable Object value) {
    if (value == null) {
      return NULL;
    }
    if (value instanceof Boolean b) {
      return b ? TRUE : FALSE;
    }
    return new Const(value);
  }

  /** A node that yields a list of its items' values; constant when every item is. */
  public static Node array(List<Node> items) {
    boolean constant = true;
    for (Node item : items) {
      constant &= item.isConstant();
    }
    if (constant) {
      List<@Nullable Object> values = new ArrayList<>(items.size());
      for (Node item : items) {
        values.add(((Const) item).value);
      }
      return new Const(Collections.unmodifiableList(values));
    }
    return new ArrayExpr(items.toArray(new Node[0]));
  }

  /** The value of a constant node; only valid when {@link Node#isConstant()}. */
  public static @Nullable Object valueOf(Node constant) {
    return ((Const) constant).value;
  }

  static final class Const extends Node {
    final @Nullable Object value;
    private final boolean truthy;
    private final double number;

    Const(@Nullable Object value) {
      this.value = value;
      this.truthy = Values.truthy(value);
      this.number = Values.toNumber(value);
    }

    @Override
    public @Nullable Object eval(Frame frame) {
      return value;
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      return truthy;
    }

    @Override
    public double evalNumber(Frame frame) {
      return number;
    }

    @Override
    public boolean isNumeric() {
      return value instanceof Double;
    }

    @Override
    public boolean isConstant() {
      return true;
    }
  }

  static final class ArrayExpr extends Node {
    private final Node[] items;

    ArrayExpr(Node[] items) {
      this.items = items;
    }

    @Override
    public Object eval(Frame frame) {
      List<@Nullable Object> out = new ArrayList<>(items.length);
      for (Node item : items) {
        out.add(item.eval(frame));
      }
      return out;
    }

    @Override
    public boolean evalTruthy(Frame frame) {
      return items.length > 0;
    }
  }
}
