package dev.sluice.flags.internal.logic;

import org.jspecify.annotations.Nullable;

/**
 * A compiled JSON Logic expression. Nodes are immutable and shared between threads; all state of
 * one evaluation lives in its {@link Frame}.
 */
public abstract class Node {

  /** Evaluates this node to a JSON Logic value. */
  public abstract @Nullable Object eval(Frame frame);

  /** Evaluates and applies JSON Logic truthiness; numeric nodes override it to avoid boxing. */
  public boolean evalTruthy(Frame frame) {
    return Values.truthy(eval(frame));
  }

  /** Evaluates and converts to a number; numeric nodes override it to avoid boxing. */
  public double evalNumber(Frame frame) {
    return Values.toNumber(eval(frame));
  }

  /** True when {@link #eval} always returns a number, so callers may use {@link #evalNumber}. */
  public boolean isNumeric() {
    return false;
  }

  /** True when this node is a literal whose value is known at compile time. */
  public boolean isConstant() {
    return false;
  }
}
