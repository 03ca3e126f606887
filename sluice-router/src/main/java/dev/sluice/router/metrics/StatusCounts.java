package dev.sluice.router.metrics;

/**
 * Request counts by HTTP status class.
 *
 * @param informational 1xx
 * @param success 2xx
 * @param redirection 3xx
 * @param clientError 4xx
 * @param serverError 5xx, including the router's own 502, 503 and 504
 */
public record StatusCounts(
    long informational, long success, long redirection, long clientError, long serverError) {

  /** No requests. */
  public static final StatusCounts ZERO = new StatusCounts(0, 0, 0, 0, 0);

  /** Returns the count of a class, 1..5 (as in "2xx"). */
  public long ofClass(int statusClass) {
    return switch (statusClass) {
      case 1 -> informational;
      case 2 -> success;
      case 3 -> redirection;
      case 4 -> clientError;
      case 5 -> serverError;
      default ->
          throw new IllegalArgumentException("statusClass: " + statusClass + " (expected: 1..5)");
    };
  }

  /** Returns the sum of all classes. */
  public long total() {
    return informational + success + redirection + clientError + serverError;
  }
}
