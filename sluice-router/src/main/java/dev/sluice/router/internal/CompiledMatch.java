package dev.sluice.router.internal;

import dev.sluice.router.Cidr;
import dev.sluice.router.Match;
import dev.sluice.router.RouteRule;
import dev.sluice.router.StringMatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RouteRule} prepared for the hot path: names and values as bytes, regular expressions
 * compiled with one {@link Matcher} per event loop, so testing a request reads only the fields the
 * rule names, in the parser's scratch array, and allocates nothing (except a regular expression on
 * a value with non-ASCII bytes, which is decoded as UTF-8 first).
 */
final class CompiledMatch {

  private final byte @Nullable [] host;
  private final boolean hostWildcard;
  private final byte @Nullable [] pathPrefix;
  private final Field[] headers;
  private final Field[] cookies;
  private final Field[] queries;
  private final Cidr[] trusted;

  CompiledMatch(RouteRule rule, int loops) {
    Match m = rule.match();
    String h = m.host();
    if (h != null && h.startsWith("*.")) {
      host = ascii(h.substring(1));
      hostWildcard = true;
    } else {
      host = h == null ? null : ascii(h);
      hostWildcard = false;
    }
    pathPrefix = m.pathPrefix() == null ? null : utf8(m.pathPrefix());
    headers = fields(m.headers(), true, loops);
    cookies = fields(m.cookies(), false, loops);
    queries = fields(m.queryParams(), false, loops);
    trusted = rule.trusted().toArray(new Cidr[0]);
  }

  private static Field[] fields(List<Match.FieldMatch> list, boolean lower, int loops) {
    Field[] out = new Field[list.size()];
    for (int i = 0; i < out.length; i++) {
      Match.FieldMatch f = list.get(i);
      String name = lower ? f.name().toLowerCase(Locale.ROOT) : f.name();
      out[i] = new Field(utf8(name), f.value(), loops);
    }
    return out;
  }

  /** Returns whether the request matches and comes from a trusted source. */
  boolean matches(HeadParser p, byte[] clientAddress, MatchScratch scratch) {
    if (trusted.length > 0 && !trusted(clientAddress)) {
      return false;
    }
    byte[] s = p.bytes();
    if (host != null) {
      long span = RequestFields.host(p);
      if (span < 0
          || !RequestFields.hostMatches(s, (int) (span >>> 32), (int) span, host, hostWildcard)) {
        return false;
      }
    }
    if (pathPrefix != null) {
      int ps = RequestFields.pathStart(p);
      if (!RequestFields.hasPathPrefix(s, ps, RequestFields.pathEnd(p, ps), pathPrefix)) {
        return false;
      }
    }
    for (Field f : headers) {
      if (!header(p, f, scratch)) {
        return false;
      }
    }
    for (Field f : cookies) {
      long v = RequestFields.cookie(p, f.name);
      if (v < 0 || !f.test(s, (int) (v >>> 32), (int) v, scratch)) {
        return false;
      }
    }
    for (Field f : queries) {
      if (!query(p, f, scratch)) {
        return false;
      }
    }
    return true;
  }

  private boolean trusted(byte[] clientAddress) {
    for (Cidr c : trusted) {
      if (c.contains(clientAddress)) {
        return true;
      }
    }
    return false;
  }

  private static boolean header(HeadParser p, Field f, MatchScratch scratch) {
    byte[] s = p.bytes();
    for (int i = p.findField(f.name, 0); i >= 0; i = p.findField(f.name, i + 1)) {
      if (f.test(s, p.valueStart(i), p.valueEnd(i), scratch)) {
        return true;
      }
    }
    return false;
  }

  private static boolean query(HeadParser p, Field f, MatchScratch scratch) {
    byte[] s = p.bytes();
    int ps = RequestFields.pathStart(p);
    int q = RequestFields.pathEnd(p, ps);
    int end = p.targetEnd();
    if (q >= end || s[q] != '?') {
      return false;
    }
    int i = q + 1;
    while (i <= end) {
      int ps2 = i;
      while (i < end && s[i] != '&' && s[i] != '#') {
        i++;
      }
      int pe = i;
      int eq = ps2;
      while (eq < pe && s[eq] != '=') {
        eq++;
      }
      byte[] buf = scratch.decoded(pe - ps2);
      int nameLen = RequestFields.decode(s, ps2, eq, buf);
      if (nameLen == f.name.length && RequestFields.regionEquals(buf, 0, f.name, 0, nameLen)) {
        int valueLen = eq < pe ? RequestFields.decode(s, eq + 1, pe, buf) : 0;
        if (f.test(buf, 0, valueLen, scratch)) {
          return true;
        }
      }
      if (i >= end || s[i] == '#') {
        break;
      }
      i++;
    }
    return false;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** One named condition with its value test. */
  private static final class Field {
    final byte[] name;
    private final StringMatch.Kind kind;
    private final byte[] value;
    private final @Nullable Pattern pattern;
    private final Matcher @Nullable [] matchers;

    Field(byte[] name, StringMatch match, int loops) {
      this.name = name;
      this.kind = match.kind();
      this.value = utf8(match.value());
      if (kind == StringMatch.Kind.REGEX) {
        pattern = Pattern.compile(match.value());
        matchers = new Matcher[loops];
      } else {
        pattern = null;
        matchers = null;
      }
    }

    boolean test(byte[] s, int from, int to, MatchScratch scratch) {
      int len = to - from;
      switch (kind) {
        case EXACT:
          return len == value.length && RequestFields.regionEquals(s, from, value, 0, len);
        case PREFIX:
          return len >= value.length && RequestFields.regionEquals(s, from, value, 0, value.length);
        default:
          return regex(s, from, to, scratch);
      }
    }

    private boolean regex(byte[] s, int from, int to, MatchScratch scratch) {
      CharSequence text = null;
      for (int i = from; i < to; i++) {
        if (s[i] < 0) {
          text = new String(s, from, to - from, StandardCharsets.UTF_8);
          break;
        }
      }
      if (text == null) {
        text = scratch.chars.set(s, from, to);
      }
      Matcher[] ms = matchers;
      Matcher m = ms[scratch.loop];
      if (m == null) {
        m = pattern.matcher(text);
        ms[scratch.loop] = m;
      } else {
        m.reset(text);
      }
      boolean ok = m.matches();
      // Let go of the request's bytes.
      m.reset("");
      return ok;
    }
  }
}
