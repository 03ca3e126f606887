package dev.sluice.router.shadow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sample of one differing pair: a request, its primary response and its shadow response, as
 * {@code sluice shadow diffs APP} shows them.
 *
 * @param at when the comparison was made (the router's clock)
 * @param app the app
 * @param primaryVersion the version that answered the client
 * @param shadowVersion the shadow version
 * @param method the request method
 * @param target the request target (path and query)
 * @param primary what the primary answered
 * @param shadow what the shadow answered
 * @param differences what differs, for people: {@code "status"}, {@code "header content-type"},
 *     {@code "body"}, {@code "body /items/0/price"}
 */
public record ShadowDiff(
    Instant at,
    String app,
    String primaryVersion,
    String shadowVersion,
    String method,
    String target,
    Response primary,
    Response shadow,
    List<String> differences) {

  /** Longest body excerpt kept, in characters. */
  public static final int EXCERPT = 2048;

  /**
   * One side of a pair.
   *
   * @param status the status code
   * @param headers the compared headers (lower-case names) and their values
   * @param bodyExcerpt the body's start as text (UTF-8, at most {@link #EXCERPT} characters)
   * @param bodyBytes the body's length in bytes
   */
  public record Response(
      int status, Map<String, String> headers, String bodyExcerpt, long bodyBytes) {

    /** Copies. */
    public Response {
      headers = Map.copyOf(headers);
    }
  }

  /** Copies. */
  public ShadowDiff {
    differences = List.copyOf(differences);
  }
}
