package dev.sluice.flags.internal.logic;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reading data the way {@code var} does: dotted paths through the evaluation context (at the top
 * level) or through the current array element (inside {@code map}, {@code filter} and friends).
 */
final class Data {
  /** Returned by lookups when the path leads nowhere, as JavaScript's undefined. */
  static final Object ABSENT = new Object();

  private Data() {}

  /** The value at {@code path} in the frame's current scope, or {@link #ABSENT}. */
  static @Nullable Object lookup(Frame frame, String[] path) {
    Object current = frame.scope;
    int i = 0;
    if (current == Frame.ROOT) {
      if (path.length == 0) {
        return rootAsMap(frame);
      }
      current = root(frame, path[0]);
      if (current == ABSENT) {
        return ABSENT;
      }
      if (current == FLAGD && path.length > 1) {
        if (path.length > 2) {
          return ABSENT;
        }
        return switch (path[1]) {
          case "flagKey" -> frame.flagKey;
          case "timestamp" -> Values.box(frame.timestamp());
          default -> ABSENT;
        };
      }
      if (current == FLAGD) {
        return flagdAsMap(frame);
      }
      i = 1;
    }
    for (; i < path.length; i++) {
      current = child(current, path[i]);
      if (current == ABSENT) {
        return ABSENT;
      }
    }
    return current;
  }

  private static final Object FLAGD = new Object();

  private static @Nullable Object root(Frame frame, String name) {
    if (name.equals("targetingKey")) {
      String key = frame.context.targetingKey();
      return key == null ? ABSENT : key;
    }
    if (name.equals("$flagd")) {
      return FLAGD;
    }
    Object value = frame.context.attribute(name);
    if (value == null && !frame.context.has(name)) {
      return ABSENT;
    }
    return value;
  }

  static @Nullable Object child(@Nullable Object parent, String segment) {
    if (parent instanceof Map<?, ?> map) {
      Object value = map.get(segment);
      return value == null && !map.containsKey(segment) ? ABSENT : value;
    }
    if (parent instanceof List<?> list) {
      int index = arrayIndex(segment);
      return index >= 0 && index < list.size() ? list.get(index) : ABSENT;
    }
    if (parent instanceof ReduceScope scope) {
      return switch (segment) {
        case "current" -> scope.current;
        case "accumulator" -> scope.accumulator;
        default -> ABSENT;
      };
    }
    return ABSENT;
  }

  private static int arrayIndex(String segment) {
    if (segment.isEmpty() || segment.length() > 9) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static Map<String, @Nullable Object> flagdAsMap(Frame frame) {
    return Map.of("flagKey", frame.flagKey, "timestamp", Values.box(frame.timestamp()));
  }

  private static Map<String, @Nullable Object> rootAsMap(Frame frame) {
    java.util.HashMap<String, @Nullable Object> all =
        new java.util.HashMap<>(frame.context.attributes());
    if (frame.context.targetingKey() != null) {
      all.put("targetingKey", frame.context.targetingKey());
    }
    all.put("$flagd", flagdAsMap(frame));
    return all;
  }

  /** The data {@code reduce} exposes to its logic: {@code current} and {@code accumulator}. */
  static final class ReduceScope {
    @Nullable Object current;
    @Nullable Object accumulator;
  }
}
