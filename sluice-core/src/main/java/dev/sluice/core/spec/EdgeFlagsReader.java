package dev.sluice.core.spec;

import dev.sluice.core.spec.EdgeFlagsSpec.Source;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads an app's {@code edgeFlags}; see {@link EdgeFlagsSpec}. */
final class EdgeFlagsReader {
  /** A flag key that can be part of a header name (an HTTP token). */
  static final Pattern KEY = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,62}");

  /** A flag environment name, as flag definitions allow them. */
  private static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9._-]{1,63}");

  private static final String SOURCE = "one of {header: NAME}, {cookie: NAME}";

  private EdgeFlagsReader() {}

  static @Nullable EdgeFlagsSpec read(YamlValue v) {
    int known = v.problems().list().size();
    Fields f =
        v.fields(
            "a mapping with keys, targetingKey, context, environment",
            "keys",
            "targetingKey",
            "context",
            "environment");
    List<String> keys = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    YamlValue keysValue = f.get("keys");
    if (!keysValue.present()) {
      keysValue.problem("missing", "a list of flag keys, e.g. [new-checkout]");
    }
    List<YamlValue> items = keysValue.items("a list of flag keys, e.g. [new-checkout]");
    if (keysValue.present() && items.isEmpty() && keysValue.isSequence()) {
      keysValue.problem("[]", "at least one flag key");
    }
    for (YamlValue item : items) {
      String key =
          item.string(
              KEY, "a flag key usable in a header name: letters, digits, - _ . and !#$%&'*+^`|~");
      if (key == null) {
        continue;
      }
      if (!seen.add(key.toLowerCase(Locale.ROOT))) {
        item.problem('"' + key + '"', "each key once (header names ignore case)");
        continue;
      }
      keys.add(key);
    }
    Source targetingKey = f.get("targetingKey").present() ? source(f.get("targetingKey")) : null;
    Map<String, Source> context = new LinkedHashMap<>();
    f.get("context")
        .fields("a mapping of context attribute names to " + SOURCE)
        .all()
        .forEach(
            (name, value) -> {
              if (!ATTRIBUTE.matcher(name).matches()) {
                value.problem(
                    '"' + name + '"',
                    "an attribute name: a letter or _, then letters, digits, _ . -");
                return;
              }
              if (name.equals("targetingKey")) {
                value.problem('"' + name + '"', "targetingKey set with edgeFlags.targetingKey");
                return;
              }
              if (name.equals("environment")) {
                // From a request it would let clients pick their environment's variants.
                value.problem(
                    '"' + name + '"',
                    "the flag environment set with edgeFlags.environment, not read from requests");
                return;
              }
              Source s = source(value);
              if (s != null) {
                context.put(name, s);
              }
            });
    String environment = null;
    if (f.get("environment").present()) {
      environment =
          f.get("environment")
              .string(ENVIRONMENT, "a flag environment name: letters, digits, '.', '_' and '-'");
    }
    if (v.problems().list().size() > known) {
      return null;
    }
    return new EdgeFlagsSpec(keys, targetingKey, context, environment);
  }

  private static @Nullable Source source(YamlValue v) {
    int known = v.problems().list().size();
    Fields f = v.fields(SOURCE, "header", "cookie");
    if (f.keys().size() != 1) {
      if (v.problems().list().size() == known) {
        v.problem(SOURCE);
      }
      return null;
    }
    String kind = f.keys().iterator().next();
    String name = f.get(kind).string(NAME, "a " + kind + " name");
    return name == null
        ? null
        : new Source(Source.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), name);
  }
}
