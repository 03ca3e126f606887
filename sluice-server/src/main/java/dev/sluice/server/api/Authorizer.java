package dev.sluice.server.api;

import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import io.javalin.http.Context;

/** Checks a request's token and role for an {@link ApiModule}'s routes. */
public interface Authorizer {

  /**
   * Returns the caller when its token ({@code Authorization: Bearer}, or {@code X-API-Key}) is
   * valid and its role allows {@code needed}; otherwise ends the call with 401 or 403 (a JSON error
   * body) by throwing.
   */
  Principal require(Context ctx, Role needed);

  /**
   * Ends the call with an HTTP status and a JSON body {@code {"error": message}} by throwing; for
   * modules' own refusals (400, 404, 409).
   */
  RuntimeException fail(int status, String message);
}
