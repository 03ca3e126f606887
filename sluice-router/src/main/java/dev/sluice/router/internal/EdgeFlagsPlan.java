package dev.sluice.router.internal;

import dev.sluice.router.flags.EdgeFlags;
import dev.sluice.router.flags.EdgeFlags.Assignment;
import dev.sluice.router.flags.EdgeFlags.Source;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One app's {@link EdgeFlags} prepared for the hot path: the field names as bytes, and per flag and
 * variant the header line that goes upstream and the metrics it is counted in (made once, then
 * looked up).
 */
final class EdgeFlagsPlan {

  /** What the flags added to one request: header lines and the metrics to count it in. */
  record Result(byte[] lines, VersionMetrics[] metrics) {}

  static final Result NONE = new Result(new byte[0], new VersionMetrics[0]);

  private static final byte[] PREFIX = "Sluice-Flag-".getBytes(StandardCharsets.US_ASCII);

  /** A variant that can be sent upstream: its header line and its metrics. */
  private record Emit(byte[] line, VersionMetrics metrics) {}

  final String app;
  final EdgeFlags flags;
  private final MetricsRegistry registry;
  private final @Nullable Source key;
  private final byte[] keyName;
  private final String[] contextNames;
  private final Source[] contextSources;
  private final byte[][] contextBytes;
  private final ConcurrentHashMap<Assignment, Emit> emits = new ConcurrentHashMap<>();

  EdgeFlagsPlan(String app, EdgeFlags flags, MetricsRegistry registry) {
    this.app = app;
    this.flags = flags;
    this.registry = registry;
    this.key = flags.targetingKey();
    this.keyName = key == null ? new byte[0] : nameBytes(key);
    int n = flags.context().size();
    this.contextNames = new String[n];
    this.contextSources = new Source[n];
    this.contextBytes = new byte[n][];
    int i = 0;
    for (Map.Entry<String, Source> e : flags.context().entrySet()) {
      contextNames[i] = e.getKey();
      contextSources[i] = e.getValue();
      contextBytes[i] = nameBytes(e.getValue());
      i++;
    }
  }

  private static byte[] nameBytes(Source s) {
    String name = s.kind() == Source.Kind.HEADER ? s.name().toLowerCase(Locale.ROOT) : s.name();
    return name.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Evaluates the flags for the head in {@code p}; never throws (a failing evaluator adds nothing).
   */
  Result evaluate(HeadParser p) {
    String targetingKey = key == null ? null : read(p, key, keyName);
    Map<String, String> context = contextNames.length == 0 ? Map.of() : new HashMap<>();
    for (int i = 0; i < contextNames.length; i++) {
      String v = read(p, contextSources[i], contextBytes[i]);
      if (v != null) {
        context.put(contextNames[i], v);
      }
    }
    List<Assignment> assigned;
    try {
      assigned = flags.evaluator().evaluate(targetingKey, context);
    } catch (RuntimeException e) {
      return NONE;
    }
    if (assigned == null || assigned.isEmpty()) {
      return NONE;
    }
    List<Emit> out = new ArrayList<>(assigned.size());
    int size = 0;
    for (Assignment a : assigned) {
      Emit e = emit(a);
      if (e != null) {
        out.add(e);
        size += e.line().length;
      }
    }
    if (out.isEmpty()) {
      return NONE;
    }
    byte[] lines = new byte[size];
    VersionMetrics[] metrics = new VersionMetrics[out.size()];
    int at = 0;
    for (int i = 0; i < metrics.length; i++) {
      Emit e = out.get(i);
      System.arraycopy(e.line(), 0, lines, at, e.line().length);
      at += e.line().length;
      metrics[i] = e.metrics();
    }
    return new Result(lines, metrics);
  }

  private @Nullable Emit emit(Assignment a) {
    Emit e = emits.get(a);
    if (e != null) {
      return e;
    }
    if (!isToken(a.flag()) || !isFieldValue(a.variant())) {
      // Not representable in a header: sent nowhere, counted nowhere.
      return null;
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.writeBytes(PREFIX);
    line.writeBytes((a.flag() + ": " + a.variant() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    Emit made = new Emit(line.toByteArray(), registry.flagOf(app, a.flag(), a.variant()));
    Emit raced = emits.putIfAbsent(a, made);
    return raced == null ? made : raced;
  }

  private static @Nullable String read(HeadParser p, Source s, byte[] name) {
    byte[] b = p.bytes();
    if (s.kind() == Source.Kind.HEADER) {
      int f = p.findField(name, 0);
      if (f < 0 || p.valueEnd(f) <= p.valueStart(f)) {
        return null;
      }
      return new String(
          b, p.valueStart(f), p.valueEnd(f) - p.valueStart(f), StandardCharsets.UTF_8);
    }
    long v = RequestFields.cookie(p, name);
    if (v < 0) {
      return null;
    }
    int from = (int) (v >>> 32);
    int to = (int) v;
    return to > from ? new String(b, from, to - from, StandardCharsets.UTF_8) : null;
  }

  /** Whether {@code s} is an HTTP token (a field name's characters, RFC 9110 5.6.2). */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code s} is a non-empty field value of visible ASCII and inner spaces. */
  private static boolean isFieldValue(String s) {
    if (s.isEmpty() || s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
