package dev.sluice.core.spec;

import dev.sluice.core.spec.RoutingSpec.Match;
import dev.sluice.core.spec.RoutingSpec.Route;
import dev.sluice.core.spec.RoutingSpec.Sticky;
import dev.sluice.core.spec.RoutingSpec.StringMatch;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Reads an app's {@code routing}: {@code forceHeader} (a shorthand for a rule to the canary),
 * {@code routes} and {@code sticky}.
 *
 * <pre>
 * routing:
 *   forceHeader: {name: x-canary, value: "true"}
 *   routes:
 *     - match: {headers: {x-beta: "1"}, cookies: {plan: {prefix: pro}}, pathPrefix: /api}
 *       version: canary
 *       trusted: [10.0.0.0/8]
 *   sticky: {header: x-user-id}
 * </pre>
 */
final class RoutingReader {
  private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern TARGET =
      Pattern.compile("canary|stable|" + SpecParser.VERSION_NAME.pattern());

  private RoutingReader() {}

  static RoutingSpec routing(YamlValue v) {
    Fields f =
        v.fields("a mapping with forceHeader, routes, sticky", "forceHeader", "routes", "sticky");
    List<Route> routes = new ArrayList<>();
    YamlValue force = f.get("forceHeader");
    if (force.present()) {
      Fields ff =
          force.fields("a mapping with name, value (and trusted)", "name", "value", "trusted");
      String name = ff.get("name").string(HEADER, "a header name");
      String value =
          ff.get("value").string(Pattern.compile("(?s).*"), "the header's value, a string");
      List<String> trusted = cidrs(ff.get("trusted"));
      if (name != null && value != null) {
        routes.add(
            new Route(
                new Match(
                    Map.of(name, new StringMatch(StringMatch.Kind.EXACT, value)),
                    Map.of(),
                    Map.of(),
                    null,
                    null),
                "canary",
                trusted));
      }
    }
    for (YamlValue item : f.get("routes").items("a list of {match: {...}, version: V}")) {
      Fields rf =
          item.fields(
              "a route: {match: {...}, version: V, trusted: [CIDR...]}",
              "match",
              "version",
              "trusted");
      Match match = match(rf.get("match"));
      String version = rf.get("version").string(TARGET, "canary, stable, or a version name");
      List<String> trusted = cidrs(rf.get("trusted"));
      if (match != null && version != null) {
        routes.add(new Route(match, version, trusted));
      }
    }
    Sticky sticky = f.get("sticky").present() ? sticky(f.get("sticky")) : null;
    return new RoutingSpec(routes, sticky);
  }

  private static @Nullable Match match(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with headers, cookies, query, pathPrefix, host",
            "headers",
            "cookies",
            "query",
            "pathPrefix",
            "host");
    if (!v.present() || f.keys().isEmpty()) {
      v.problem(
          v.present() ? "an empty match" : "missing",
          "at least one of: headers, cookies, query, pathPrefix, host");
      return null;
    }
    String prefix =
        f.get("pathPrefix").present()
            ? f.get("pathPrefix").string(Pattern.compile("/.*"), "a path starting with /")
            : null;
    String host =
        f.get("host").present()
            ? f.get("host").string(Pattern.compile("[A-Za-z0-9.-]+"), "a host name")
            : null;
    return new Match(
        values(f.get("headers"), HEADER, "a header name"),
        values(f.get("cookies"), Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+"), "a cookie name"),
        values(f.get("query"), Pattern.compile(".+"), "a query parameter name"),
        prefix,
        host);
  }

  /** Name to value test: {@code name: "exact"} or {@code name: {exact|prefix|regex: ...}}. */
  private static Map<String, StringMatch> values(YamlValue v, Pattern names, String nameExpected) {
    Map<String, StringMatch> out = new LinkedHashMap<>();
    v.fields("a mapping of " + nameExpected + "s to values")
        .all()
        .forEach(
            (name, value) -> {
              if (!names.matcher(name).matches()) {
                value.problem('"' + name + '"', nameExpected);
                return;
              }
              StringMatch m = stringMatch(value);
              if (m != null) {
                out.put(name, m);
              }
            });
    return out;
  }

  private static @Nullable StringMatch stringMatch(YamlValue v) {
    String expected = "a string (exact), or {exact: S}, {prefix: S} or {regex: R}";
    if (v.isScalar()) {
      String s = v.string((String) null, expected);
      return s == null ? null : new StringMatch(StringMatch.Kind.EXACT, s);
    }
    Fields f = v.fields(expected, "exact", "prefix", "regex");
    if (f.keys().size() != 1) {
      v.problem(expected);
      return null;
    }
    String key = f.keys().iterator().next();
    String value = f.get(key).string((String) null, "a string");
    if (value == null) {
      return null;
    }
    if (key.equals("regex")) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        f.get(key).problem('"' + value + '"', "a regular expression (" + e.getDescription() + ")");
        return null;
      }
    }
    return new StringMatch(StringMatch.Kind.valueOf(key.toUpperCase(java.util.Locale.ROOT)), value);
  }

  static @Nullable Sticky sticky(YamlValue v) {
    String expected = "one of {header: NAME}, {cookie: NAME}, {session: COOKIE-NAME}";
    int known = v.problems().list().size();
    Fields f = v.fields(expected, "header", "cookie", "session");
    if (f.keys().size() != 1) {
      if (v.problems().list().size() == known) {
        v.problem(expected); // unless an unknown field was just reported
      }
      return null;
    }
    String key = f.keys().iterator().next();
    String name =
        f.get(key).string(HEADER, "a " + (key.equals("header") ? "header" : "cookie") + " name");
    return name == null
        ? null
        : new Sticky(Sticky.Kind.valueOf(key.toUpperCase(java.util.Locale.ROOT)), name);
  }

  /**
   * Client address ranges, {@code 10.0.0.0/8} or {@code ::1/128} (a bare address is /32 or /128).
   */
  static List<String> cidrs(YamlValue v) {
    List<String> out = new ArrayList<>();
    for (YamlValue item : v.items("a list of CIDR ranges like 10.0.0.0/8")) {
      String text =
          item.string(
              Pattern.compile("[0-9A-Fa-f:.]+(/\\d{1,3})?"),
              "a CIDR range like 10.0.0.0/8 or ::1/128");
      if (text == null) {
        continue;
      }
      String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
      if (!address.contains(":") && !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        item.problem('"' + text + '"', "an IP address range like 10.0.0.0/8");
        continue;
      }
      try {
        InetAddress a = InetAddress.getByName(address); // a literal: no lookup happens
        int bits = a.getAddress().length * 8;
        int prefix =
            text.contains("/") ? Integer.parseInt(text.substring(text.indexOf('/') + 1)) : bits;
        if (prefix > bits) {
          item.problem('"' + text + '"', "a prefix length up to " + bits);
          continue;
        }
        out.add(address + "/" + prefix);
      } catch (UnknownHostException e) {
        item.problem('"' + text + '"', "an IP address range like 10.0.0.0/8");
      }
    }
    return out;
  }
}
