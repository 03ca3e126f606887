package dev.sluice.router.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small strict JSON reader (RFC 8259) and comparison for shadow responses: values become maps,
 * lists, strings, numbers ({@link BigDecimal} without trailing zeros, so {@code 1.0} equals {@code
 * 1}), booleans and {@link #NULL}; members at JSON pointers (RFC 6901) can be blanked out; two
 * values are compared with the paths of their first differences.
 *
 * <p>The router's own reader keeps the router free of a JSON library for one comparison; it is only
 * used on copies of bodies of at most the shadow's {@code maxBodyBytes}.
 */
final class JsonTree {

  /** JSON's null. */
  static final Object NULL = new Object();

  /** What an ignored member or element is replaced with, on both sides. */
  private static final Object IGNORED = new Object();

  private static final int MAX_DEPTH = 512;

  private final byte[] in;
  private final int end;
  private int pos;

  private JsonTree(byte[] in, int length) {
    this.in = in;
    this.end = length;
  }

  /** Thrown for text that is not one JSON value. */
  static final class NotJson extends Exception {
    NotJson(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses {@code in[0, length)} as one JSON value (UTF-8, whitespace around allowed). */
  static Object parse(byte[] in, int length) throws NotJson {
    JsonTree p = new JsonTree(in, length);
    p.space();
    Object v = p.value(0);
    p.space();
    if (p.pos != p.end) {
      throw p.error("text after the value");
    }
    return v;
  }

  private NotJson error(String what) {
    return new NotJson(what + " at byte " + pos);
  }

  private void space() {
    while (pos < end) {
      byte c = in[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private Object value(int depth) throws NotJson {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    if (pos >= end) {
      throw error("end of input");
    }
    byte c = in[pos];
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || c >= '0' && c <= '9') {
          return number();
        }
        throw error("unexpected '" + (char) c + "'");
    }
  }

  private Object literal(String word, Object v) throws NotJson {
    for (int i = 0; i < word.length(); i++) {
      if (pos + i >= end || in[pos + i] != word.charAt(i)) {
        throw error("invalid literal");
      }
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) throws NotJson {
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    space();
    if (pos < end && in[pos] == '}') {
      pos++;
      return m;
    }
    while (true) {
      space();
      if (pos >= end || in[pos] != '"') {
        throw error("expected a member name");
      }
      String name = string();
      space();
      if (pos >= end || in[pos] != ':') {
        throw error("expected ':'");
      }
      pos++;
      space();
      m.put(name, value(depth + 1));
      space();
      if (pos < end && in[pos] == ',') {
        pos++;
      } else if (pos < end && in[pos] == '}') {
        pos++;
        return m;
      } else {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) throws NotJson {
    pos++;
    List<Object> list = new ArrayList<>();
    space();
    if (pos < end && in[pos] == ']') {
      pos++;
      return list;
    }
    while (true) {
      space();
      list.add(value(depth + 1));
      space();
      if (pos < end && in[pos] == ',') {
        pos++;
      } else if (pos < end && in[pos] == ']') {
        pos++;
        return list;
      } else {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() throws NotJson {
    pos++;
    int start = pos;
    while (pos < end && in[pos] != '"' && in[pos] != '\\') {
      if ((in[pos] & 0xff) < 0x20) {
        throw error("control character in a string");
      }
      pos++;
    }
    if (pos < end && in[pos] == '"') {
      return new String(in, start, pos++ - start, StandardCharsets.UTF_8);
    }
    StringBuilder sb =
        new StringBuilder(new String(in, start, pos - start, StandardCharsets.UTF_8));
    int run = pos;
    while (true) {
      if (pos >= end) {
        throw error("unterminated string");
      }
      byte c = in[pos];
      if (c == '"') {
        sb.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
        pos++;
        return sb.toString();
      }
      if ((c & 0xff) < 0x20) {
        throw error("control character in a string");
      }
      if (c != '\\') {
        pos++;
        continue;
      }
      sb.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
      if (pos + 1 >= end) {
        throw error("unterminated escape");
      }
      byte e = in[pos + 1];
      pos += 2;
      switch (e) {
        case '"' -> sb.append('"');
        case '\\' -> sb.append('\\');
        case '/' -> sb.append('/');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > end) {
            throw error("short \\u escape");
          }
          int cp = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(in[pos + i], 16);
            if (d < 0) {
              throw error("invalid \\u escape");
            }
            cp = cp << 4 | d;
          }
          pos += 4;
          sb.append((char) cp);
        }
        default -> throw error("invalid escape");
      }
      run = pos;
    }
  }

  private BigDecimal number() throws NotJson {
    int start = pos;
    if (in[pos] == '-') {
      pos++;
    }
    if (pos < end && in[pos] == '0') {
      pos++;
    } else if (!digits()) {
      throw error("invalid number");
    }
    if (pos < end && in[pos] == '.') {
      pos++;
      if (!digits()) {
        throw error("invalid number");
      }
    }
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (!digits()) {
        throw error("invalid number");
      }
    }
    try {
      BigDecimal d = new BigDecimal(new String(in, start, pos - start, StandardCharsets.US_ASCII));
      return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    } catch (NumberFormatException | ArithmeticException e) {
      throw error("number out of range");
    }
  }

  private boolean digits() {
    int start = pos;
    while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos > start;
  }

  /**
   * Blanks out the value at a JSON pointer in a parsed tree; returns the (possibly replaced) root.
   * A pointer that leads nowhere changes nothing.
   */
  @SuppressWarnings("unchecked")
  static Object ignore(Object root, String pointer) {
    if (pointer.isEmpty()) {
      return IGNORED;
    }
    String[] tokens = pointer.substring(1).split("/", -1);
    Object at = root;
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i].replace("~1", "/").replace("~0", "~");
      boolean last = i == tokens.length - 1;
      if (at instanceof Map<?, ?> m) {
        Map<String, Object> map = (Map<String, Object>) m;
        if (!map.containsKey(t)) {
          return root;
        }
        if (last) {
          map.put(t, IGNORED);
        } else {
          at = map.get(t);
        }
      } else if (at instanceof List<?> l) {
        int index = index(t);
        if (index < 0 || index >= l.size()) {
          return root;
        }
        if (last) {
          ((List<Object>) l).set(index, IGNORED);
        } else {
          at = l.get(index);
        }
      } else {
        return root;
      }
    }
    return root;
  }

  private static int index(String t) {
    if (t.isEmpty() || t.length() > 9 || t.length() > 1 && t.charAt(0) == '0') {
      return -1;
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(t);
  }

  /** Adds the JSON pointers where two trees differ (at most {@code max}) to {@code out}. */
  static void diff(Object a, Object b, String path, List<String> out, int max) {
    if (out.size() >= max) {
      return;
    }
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      for (Map.Entry<?, ?> e : ma.entrySet()) {
        String p = path + "/" + escape((String) e.getKey());
        if (!mb.containsKey(e.getKey())) {
          if (e.getValue() != IGNORED) {
            add(out, p, max);
          }
        } else {
          diff(e.getValue(), mb.get(e.getKey()), p, out, max);
        }
      }
      for (Map.Entry<?, ?> e : mb.entrySet()) {
        if (!ma.containsKey(e.getKey()) && e.getValue() != IGNORED) {
          add(out, path + "/" + escape((String) e.getKey()), max);
        }
      }
      return;
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      int n = Math.min(la.size(), lb.size());
      for (int i = 0; i < n; i++) {
        diff(la.get(i), lb.get(i), path + "/" + i, out, max);
      }
      for (int i = n; i < Math.max(la.size(), lb.size()); i++) {
        add(out, path + "/" + i, max);
      }
      return;
    }
    if (a == IGNORED || b == IGNORED) {
      return;
    }
    if (!Objects.equals(a, b)) {
      add(out, path, max);
    }
  }

  private static void add(List<String> out, String path, int max) {
    if (out.size() < max) {
      out.add(path);
    }
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
