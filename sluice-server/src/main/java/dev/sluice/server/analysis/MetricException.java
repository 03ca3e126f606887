package dev.sluice.server.analysis;

/**
 * A metric could not be measured: the provider was unreachable, answered an error, or its answer
 * held no number. The message says so for people, e.g. {@code Prometheus answered 400: bad_data:
 * parse error at char 5}.
 */
public final class MetricException extends Exception {
  private static final long serialVersionUID = 1L;

  public MetricException(String message) {
    super(message, null, false, false);
  }
}
