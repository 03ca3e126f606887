package dev.sluice.flags.internal.flagd;

import dev.sluice.flags.internal.logic.Compiler;
import java.util.Map;

/** Registers flagd's custom operations next to the standard JSON Logic ones. */
public final class FlagdOperations {
  private FlagdOperations() {}

  /** Adds {@code fractional}, {@code sem_ver}, {@code starts_with} and {@code ends_with}. */
  public static void register(Map<String, Compiler.Operation> ops) {
    ops.put("fractional", Fractional::compile);
    ops.put("sem_ver", SemVer::compile);
    ops.put(
        "starts_with", (c, args, path, result) -> StringComparison.compile(c, args, path, true));
    ops.put("ends_with", (c, args, path, result) -> StringComparison.compile(c, args, path, false));
  }
}
