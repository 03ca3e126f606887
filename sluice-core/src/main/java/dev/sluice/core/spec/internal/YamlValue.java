package dev.sluice.core.spec.internal;

import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.HostPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A node of a YAML (or JSON) document with its field path, read with typed accessors that record a
 * {@link Problems problem} instead of throwing, so one pass reports everything wrong.
 *
 * <p>An accessor that finds a problem records it and returns the default (or null), and the caller
 * carries on: the result is thrown away when any problem was recorded.
 */
public final class YamlValue {
  private final Problems problems;
  private final @Nullable Node node;
  private final Node locator;
  private final String path;

  private YamlValue(Problems problems, @Nullable Node node, Node locator, String path) {
    this.problems = problems;
    this.node = node;
    this.locator = locator;
    this.path = path;
  }

  /** The document's root. */
  public static YamlValue root(Node node, Problems problems) {
    return new YamlValue(problems, node, node, "");
  }

  /** The same value read without reporting problems (for second looks at checked input). */
  public YamlValue quiet() {
    return new YamlValue(new Problems(problems.source()), node, locator, path);
  }

  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  /** True when the field is written and not {@code null}. */
  public boolean present() {
    return node != null && !Tag.NULL.equals(node.getTag());
  }

  public boolean isMapping() {
    return node instanceof MappingNode;
  }

  public boolean isSequence() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode && present();
  }

  /** The node, for callers that need to keep the raw document (spec snapshots). */
  public @Nullable Node node() {
    return node;
  }

  /** Records a problem with this value; {@code expected} says what would have been accepted. */
  public void problem(String expected) {
    problems.add(node == null ? locator : node, path, describe(), expected);
  }

  /** Records a problem with a value description of the caller's choosing. */
  public void problem(String value, String expected) {
    problems.add(node == null ? locator : node, path, value, expected);
  }

  /** How the value is shown in a message: the scalar as written, or its kind. */
  public String describe() {
    if (node == null) {
      return "missing";
    }
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) node;
    if (Tag.NULL.equals(s.getTag())) {
      return "null";
    }
    if (Tag.STR.equals(s.getTag())) {
      return '"' + s.getValue() + '"';
    }
    return s.getValue();
  }

  /**
   * The fields of a mapping. Reports a problem when this is not a mapping, when a key repeats, and
   * (with {@code allowed} non-empty) for each key not in {@code allowed}.
   */
  public Fields fields(String expected, String... allowed) {
    Map<String, YamlValue> out = new LinkedHashMap<>();
    if (!present()) {
      if (node != null) {
        problem(expected);
      }
      return new Fields(this, out);
    }
    if (!(node instanceof MappingNode m)) {
      problem(expected);
      return new Fields(this, out);
    }
    Set<String> allow = new TreeSet<>(Arrays.asList(allowed));
    for (NodeTuple t : m.getValue()) {
      Node k = t.getKeyNode();
      String key = k instanceof ScalarNode s ? s.getValue() : "?";
      String childPath = path.isEmpty() ? key : path + "." + key;
      if (!(k instanceof ScalarNode)) {
        problems.add(k, path, "a non-scalar key", "field names");
        continue;
      }
      if (out.containsKey(key)) {
        problems.add(k, childPath, "repeated", "each field once");
        continue;
      }
      if (!allow.isEmpty() && !allow.contains(key)) {
        String hint = Suggest.closest(key, allow);
        problems.add(
            k,
            childPath,
            "unknown field",
            (hint == null ? "" : "'" + hint + "'? ") + "one of " + String.join(", ", allow));
        continue;
      }
      out.put(key, new YamlValue(problems, t.getValueNode(), k, childPath));
    }
    return new Fields(this, out);
  }

  /** The items of a list; reports a problem when this is present but not a list. */
  public List<YamlValue> items(String expected) {
    List<YamlValue> out = new ArrayList<>();
    if (!present()) {
      return out;
    }
    if (!(node instanceof SequenceNode s)) {
      problem(expected);
      return out;
    }
    int i = 0;
    for (Node n : s.getValue()) {
      out.add(new YamlValue(problems, n, n, path + "[" + i++ + "]"));
    }
    return out;
  }

  /** A required string matching {@code pattern}; null (and a problem) otherwise. */
  public @Nullable String string(Pattern pattern, String expected) {
    if (!present()) {
      problem(expected);
      return null;
    }
    if (!(node instanceof ScalarNode s)
        || !Tag.STR.equals(s.getTag())
        || !pattern.matcher(s.getValue()).matches()) {
      problem(expected);
      return null;
    }
    return s.getValue();
  }

  /** An optional string (any scalar is taken as its text); {@code def} when absent. */
  public @Nullable String string(@Nullable String def, String expected) {
    if (!present()) {
      return def;
    }
    if (!(node instanceof ScalarNode s)) {
      problem(expected);
      return def;
    }
    return s.getValue();
  }

  /** An integer in {@code min..max}; {@code def} when absent (null def means required). */
  public @Nullable Integer integer(int min, int max, @Nullable Integer def) {
    String expected = "an integer " + min + ".." + max;
    if (!present()) {
      if (def == null) {
        problem(expected);
      }
      return def;
    }
    if (!(node instanceof ScalarNode s) || !Tag.INT.equals(s.getTag())) {
      problem(expected);
      return def;
    }
    try {
      long v = Long.parseLong(s.getValue().replace("_", ""));
      if (v < min || v > max) {
        problem(min + ".." + max);
        return def;
      }
      return (int) v;
    } catch (NumberFormatException e) {
      problem(expected);
      return def;
    }
  }

  /** A number (integer or decimal) in {@code min..max}; {@code def} when absent. */
  public @Nullable Double number(double min, double max, @Nullable Double def) {
    String expected = "a number " + trim(min) + ".." + trim(max);
    if (!present()) {
      if (def == null) {
        problem(expected);
      }
      return def;
    }
    if (!(node instanceof ScalarNode s)
        || !(Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag()))) {
      problem(expected);
      return def;
    }
    try {
      double v = Double.parseDouble(s.getValue().replace("_", ""));
      if (!(v >= min && v <= max)) {
        problem(trim(min) + ".." + trim(max));
        return def;
      }
      return v;
    } catch (NumberFormatException e) {
      problem(expected);
      return def;
    }
  }

  /** A boolean ({@code true} or {@code false}); {@code def} when absent. */
  public boolean bool(boolean def) {
    if (!present()) {
      return def;
    }
    if (!(node instanceof ScalarNode s) || !Tag.BOOL.equals(s.getTag())) {
      problem("true or false");
      return def;
    }
    return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
  }

  /** A duration such as {@code 30s} within {@code min..max}; {@code def} when absent. */
  public @Nullable Duration duration(Duration min, Duration max, @Nullable Duration def) {
    String expected =
        "a duration like 500ms, 30s, 10m or 1h30m, "
            + Durations.format(min)
            + ".."
            + Durations.format(max);
    if (!present()) {
      if (def == null) {
        problem(expected);
      }
      return def;
    }
    if (!(node instanceof ScalarNode s) || !Tag.STR.equals(s.getTag())) {
      problem(expected);
      return def;
    }
    Duration d = Durations.parse(s.getValue());
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(expected);
      return def;
    }
    return d;
  }

  /** An address {@code host:port} (IPv6 in brackets); {@code def} when absent. */
  public @Nullable HostPort hostPort(@Nullable HostPort def) {
    String expected = "HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080, port 0..65535";
    if (!present()) {
      if (def == null) {
        problem(expected);
      }
      return def;
    }
    if (!(node instanceof ScalarNode s)) {
      problem(expected);
      return def;
    }
    HostPort hp = HostPort.parse(s.getValue());
    if (hp == null) {
      problem(expected);
      return def;
    }
    return hp;
  }

  /** Applies {@code reader} when present, else returns {@code def}. */
  public <T> T map(Function<YamlValue, T> reader, T def) {
    return present() ? reader.apply(this) : def;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** The fields of one mapping; {@link #get} of an absent key gives a missing value. */
  public static final class Fields {
    private final YamlValue owner;
    private final Map<String, YamlValue> values;

    Fields(YamlValue owner, Map<String, YamlValue> values) {
      this.owner = owner;
      this.values = values;
    }

    public YamlValue get(String key) {
      YamlValue v = values.get(key);
      if (v != null) {
        return v;
      }
      String childPath = owner.path.isEmpty() ? key : owner.path + "." + key;
      Node at = owner.node != null ? owner.node : owner.locator;
      return new YamlValue(owner.problems, null, at, childPath);
    }

    public boolean has(String key) {
      YamlValue v = values.get(key);
      return v != null && v.present();
    }

    public Set<String> keys() {
      return values.keySet();
    }

    public Map<String, YamlValue> all() {
      return values;
    }
  }
}
