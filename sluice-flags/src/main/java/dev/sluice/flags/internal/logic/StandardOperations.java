package dev.sluice.flags.internal.logic;

import java.util.Map;

/**
 * The JSON Logic operations flagd supports (jsonlogic.com/operations.html): {@code var}, {@code
 * missing}, {@code missing_some}, {@code if}/{@code ?:}, {@code ==}, {@code ===}, {@code !=},
 * {@code !==}, {@code !}, {@code !!}, {@code or}, {@code and}, {@code >}, {@code >=}, {@code <},
 * {@code <=} (with their between forms), {@code max}, {@code min}, {@code +}, {@code -}, {@code *},
 * {@code /}, {@code %}, {@code map}, {@code filter}, {@code reduce}, {@code all}, {@code none},
 * {@code some}, {@code merge}, {@code in}, {@code cat}, {@code substr} and {@code log}.
 */
final class StandardOperations {
  private StandardOperations() {}

  static void register(Map<String, Compiler.Operation> ops) {
    DataOperations.register(ops);
    LogicOperations.register(ops);
    MathOperations.register(ops);
    ArrayOperations.register(ops);
    StringOperations.register(ops);
  }
}
