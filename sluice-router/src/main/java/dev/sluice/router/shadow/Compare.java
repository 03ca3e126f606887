package dev.sluice.router.shadow;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What of a primary and a shadow response must agree for the pair to count as the same.
 *
 * <pre>{@code
 * new Compare(true, List.of("content-type"), BodyCompare.JSON, List.of("/timestamp", "/id"));
 * }</pre>
 *
 * @param status whether the status codes must be equal
 * @param headers header names (any case) whose values must be equal (a missing header equals only a
 *     missing header; several fields of a name are joined with ", ")
 * @param body how bodies are compared
 * @param ignoreJsonPointers JSON pointers (RFC 6901, e.g. {@code /meta/time} or {@code
 *     /items/0/id}) of values left out of a {@link BodyCompare#JSON} comparison; a pointer that
 *     does not exist in a body is ignored
 */
public record Compare(
    boolean status, List<String> headers, BodyCompare body, List<String> ignoreJsonPointers) {

  /** Validates and copies; header names are kept lower-case. */
  public Compare {
    Objects.requireNonNull(body, "body");
    headers = headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    ignoreJsonPointers = List.copyOf(ignoreJsonPointers);
    for (String p : ignoreJsonPointers) {
      if (!p.isEmpty() && !p.startsWith("/")) {
        throw new IllegalArgumentException(
            "compare.ignoreJsonPointers: '"
                + p
                + "' (expected: a JSON pointer such as /meta/time)");
      }
    }
    for (String h : headers) {
      if (h.isBlank()) {
        throw new IllegalArgumentException("compare.headers: '' (expected: header names)");
      }
    }
  }

  /** Compares the status and the body byte for byte. */
  public static Compare statusAndBody() {
    return new Compare(true, List.of(), BodyCompare.EXACT, List.of());
  }

  /** Compares the status and the body as JSON without these pointers. */
  public static Compare json(List<String> ignoreJsonPointers) {
    return new Compare(true, List.of(), BodyCompare.JSON, ignoreJsonPointers);
  }
}
