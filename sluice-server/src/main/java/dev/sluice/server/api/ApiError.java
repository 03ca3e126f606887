package dev.sluice.server.api;

import dev.sluice.core.spec.Problem;
import java.util.List;

/** An API call refused with an HTTP status and a message (and the problems of a bad body). */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final transient List<Problem> problems;

  ApiError(int status, String message) {
    this(status, message, List.of());
  }

  ApiError(int status, String message, List<Problem> problems) {
    super(message, null, false, false);
    this.status = status;
    this.problems = List.copyOf(problems);
  }
}
