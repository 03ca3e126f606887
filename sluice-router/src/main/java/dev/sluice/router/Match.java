package dev.sluice.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The conditions of a {@link RouteRule}: a request matches when every condition present holds (a
 * match with no conditions matches every request).
 *
 * <ul>
 *   <li>{@code host}: the request's host ({@code Host}, or {@code :authority} in HTTP/2) without
 *       its port, compared ignoring case; {@code *.example.com} matches any name ending in {@code
 *       .example.com}.
 *   <li>{@code pathPrefix}: the path (before {@code ?}) starts with it at a segment boundary, as
 *       the Gateway API's {@code PathPrefix}: {@code /api} matches {@code /api} and {@code /api/v1}
 *       but not {@code /apis}; {@code /} matches every path. Compared as sent (no decoding).
 *   <li>{@code headers}: a header of that name (ignoring case) whose value matches; with several
 *       fields of the name, any one may match.
 *   <li>{@code cookies}: a cookie of that name (exact) in a {@code Cookie} header whose value
 *       matches.
 *   <li>{@code queryParams}: a query parameter of that name whose value matches, both compared
 *       after percent-decoding ({@code +} is a space); {@code ?beta} has the value "".
 * </ul>
 *
 * <pre>{@code
 * Match.header("x-canary", StringMatch.exact("true"));
 * Match.any().withPathPrefix("/api").withCookie("plan", StringMatch.regex("beta|gold"));
 * }</pre>
 *
 * @param host the host to match, or null for any
 * @param pathPrefix the path prefix to match, starting with '/', or null for any
 * @param headers header conditions
 * @param cookies cookie conditions
 * @param queryParams query parameter conditions
 */
public record Match(
    @Nullable String host,
    @Nullable String pathPrefix,
    List<FieldMatch> headers,
    List<FieldMatch> cookies,
    List<FieldMatch> queryParams) {

  /**
   * A condition on one named value of a request.
   *
   * @param name the header, cookie or query parameter name
   * @param value how its value is compared
   */
  public record FieldMatch(String name, StringMatch value) {

    /** Validates. */
    public FieldMatch {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("match name: '' (expected: a non-empty name)");
      }
    }
  }

  private static final Match ANY = new Match(null, null, List.of(), List.of(), List.of());

  /** Validates and copies; a host is kept lower-case. */
  public Match {
    if (host != null) {
      if (host.isBlank() || host.indexOf(':') >= 0 && !host.startsWith("[")) {
        throw new IllegalArgumentException(
            "match.host: '" + host + "' (expected: a host name without port, e.g. shop.example)");
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    if (pathPrefix != null && !pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "match.pathPrefix: '" + pathPrefix + "' (expected: starts with /)");
    }
    headers = List.copyOf(headers);
    cookies = List.copyOf(cookies);
    queryParams = List.copyOf(queryParams);
    for (FieldMatch h : headers) {
      for (int i = 0; i < h.name().length(); i++) {
        char c = h.name().charAt(i);
        boolean token =
            c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
        if (!token) {
          throw new IllegalArgumentException(
              "match.headers: '" + h.name() + "' (expected: a header field name)");
        }
      }
    }
  }

  /** A match with no conditions: every request. */
  public static Match any() {
    return ANY;
  }

  /** Requests with a header of this name whose value matches. */
  public static Match header(String name, StringMatch value) {
    return any().withHeader(name, value);
  }

  /** Requests with a cookie of this name whose value matches. */
  public static Match cookie(String name, StringMatch value) {
    return any().withCookie(name, value);
  }

  /** Requests with a query parameter of this name whose value matches. */
  public static Match queryParam(String name, StringMatch value) {
    return any().withQueryParam(name, value);
  }

  /** Requests whose path starts with this prefix at a segment boundary. */
  public static Match pathPrefix(String prefix) {
    return any().withPathPrefix(prefix);
  }

  /** Requests for this host. */
  public static Match host(String host) {
    return any().withHost(host);
  }

  /** Returns a copy that also requires this host. */
  public Match withHost(String h) {
    return new Match(h, pathPrefix, headers, cookies, queryParams);
  }

  /** Returns a copy that also requires this path prefix. */
  public Match withPathPrefix(String prefix) {
    return new Match(host, prefix, headers, cookies, queryParams);
  }

  /** Returns a copy that also requires this header. */
  public Match withHeader(String name, StringMatch value) {
    return new Match(host, pathPrefix, plus(headers, name, value), cookies, queryParams);
  }

  /** Returns a copy that also requires this cookie. */
  public Match withCookie(String name, StringMatch value) {
    return new Match(host, pathPrefix, headers, plus(cookies, name, value), queryParams);
  }

  /** Returns a copy that also requires this query parameter. */
  public Match withQueryParam(String name, StringMatch value) {
    return new Match(host, pathPrefix, headers, cookies, plus(queryParams, name, value));
  }

  private static List<FieldMatch> plus(List<FieldMatch> list, String name, StringMatch value) {
    List<FieldMatch> out = new ArrayList<>(list);
    out.add(new FieldMatch(name, value));
    return out;
  }
}
