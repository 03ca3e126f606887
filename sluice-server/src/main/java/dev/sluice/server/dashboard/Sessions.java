package dev.sluice.server.dashboard;

import dev.sluice.server.api.Authorizer;
import dev.sluice.server.auth.Principal;
import dev.sluice.server.auth.Role;
import dev.sluice.server.auth.Tokens;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Dashboard logins: an API token kept in an HttpOnly, SameSite=Strict cookie, and the checks every
 * dashboard call passes.
 *
 * <p>The cookie holds the token itself, so the dashboard knows exactly the tokens and roles of the
 * API, and revoking a token ends its dashboard sessions at the next call. Scripts on the page never
 * see it (HttpOnly); other sites' pages never send it (SameSite=Strict).
 *
 * <p>Every change (POST) must also prove it comes from a dashboard page, the OWASP "synchronizer
 * token" defence against cross-site request forgery: a header {@code X-CSRF-Token} with an HMAC of
 * the session's token under a key that lives only in this process. The page reads it from {@code
 * /ui/api/session}, which only a same-origin script can read. A POST whose {@code Origin} (or
 * {@code Sec-Fetch-Site}) says it came from another site is refused before anything else.
 */
final class Sessions {
  static final String COOKIE = "sluice_session";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Who is logged in, and the proof their changes must carry. */
  record Session(Principal principal, String csrf) {
    boolean may(Role role) {
      return principal.role().allows(role);
    }
  }

  private final Tokens tokens;
  private final Authorizer auth;
  private final byte[] key = new byte[32];

  Sessions(Tokens tokens, Authorizer auth) {
    this.tokens = tokens;
    this.auth = auth;
    RANDOM.nextBytes(key);
  }

  /** The caller's session, if its cookie holds a valid token of a role that may read. */
  Optional<Session> session(Context ctx) {
    String secret = ctx.cookie(COOKIE);
    if (secret == null || secret.isBlank()) {
      return Optional.empty();
    }
    return tokens
        .verify(secret)
        .filter(p -> p.role().allows(Role.VIEWER))
        .map(p -> new Session(p, csrf(secret)));
  }

  /** Whether the session's token is still valid (it may have been revoked since). */
  boolean stillValid(Context ctx) {
    return session(ctx).isPresent();
  }

  /** The caller's session for a read; 401 without one. */
  Session read(Context ctx) {
    return session(ctx)
        .orElseThrow(
            () -> auth.fail(401, "not logged in to the dashboard (or the token was revoked)"));
  }

  /**
   * The caller's session for a change that needs {@code role}: from this site (Origin), with the
   * session's CSRF token, by a role that allows it; 401 or 403 otherwise.
   */
  Session change(Context ctx, Role role) {
    sameOrigin(ctx);
    Session s = read(ctx);
    String sent = ctx.header(CSRF_HEADER);
    if (sent == null
        || !MessageDigest.isEqual(
            sent.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
      throw auth.fail(
          403,
          "this change does not carry the page's " + CSRF_HEADER + " header, so it was refused");
    }
    if (!s.may(role)) {
      throw auth.fail(
          403,
          "token "
              + s.principal().name()
              + " has role "
              + s.principal().role().label()
              + "; this needs "
              + role.label());
    }
    return s;
  }

  /** Refuses a request that a browser says came from another site. */
  void sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin != null && !origin.equals("null")) {
      // Behind a reverse proxy the browser's origin is the proxy's: X-Forwarded-Host names it.
      boolean same =
          isHost(origin, ctx.header("Host")) || isHost(origin, ctx.header("X-Forwarded-Host"));
      if (!same) {
        throw auth.fail(403, "a request from another site (" + origin + ") was refused");
      }
    } else if (origin != null) {
      throw auth.fail(403, "a request from an opaque origin was refused");
    }
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      throw auth.fail(
          403, "a request from another site (Sec-Fetch-Site: " + site + ") was refused");
    }
  }

  private static boolean isHost(String origin, @Nullable String host) {
    return host != null
        && !host.isBlank()
        && (origin.equals("http://" + host.trim()) || origin.equals("https://" + host.trim()));
  }

  /**
   * Logs in with a token: sets the cookie and returns the session; 401 for an unknown or revoked
   * token, 403 for a {@code client} token (it may only evaluate flags).
   */
  Session login(Context ctx, String secret) {
    sameOrigin(ctx);
    Principal p =
        tokens
            .verify(secret)
            .orElseThrow(() -> auth.fail(401, "that token is not valid (unknown or revoked)"));
    if (!p.role().allows(Role.VIEWER)) {
      throw auth.fail(
          403,
          "token "
              + p.name()
              + " has role "
              + p.role().label()
              + ", which may only evaluate flags; the dashboard needs viewer, operator or admin");
    }
    ctx.cookie(cookie(ctx, secret, -1));
    return new Session(p, csrf(secret));
  }

  /** Ends the session: the cookie is cleared. */
  void logout(Context ctx) {
    sameOrigin(ctx);
    ctx.cookie(cookie(ctx, "", 0));
  }

  private static Cookie cookie(Context ctx, String value, int maxAge) {
    boolean secure =
        "https".equalsIgnoreCase(ctx.scheme())
            || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    return new Cookie(COOKIE, value, "/", maxAge, secure, true, null, SameSite.STRICT);
  }

  private String csrf(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sum = mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sum);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  /** A path to go to after login: only a path on this site, never another site's address. */
  static String safeNext(@Nullable String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "/";
    }
    return next;
  }
}
