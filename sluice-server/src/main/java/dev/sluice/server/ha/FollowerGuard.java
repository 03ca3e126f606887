package dev.sluice.server.ha;

import dev.sluice.server.api.ApiModule;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.control.Leadership;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Makes the control API of a process that does not lead read-only: a call that would change
 * something (a release command, a token, a flag) answers 503 with a message naming the leader's
 * API, where the caller should send it; reads, validation, flag evaluation (OFREP) and dashboard
 * logins work as on the leader.
 *
 * <p>503 rather than 409: nothing is wrong with the request, this process just cannot serve it now,
 * and a load balancer or client that retries elsewhere is doing the right thing.
 */
public final class FollowerGuard implements ApiModule {
  private static final Set<HandlerType> READS =
      Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

  private final Leadership leadership;

  public FollowerGuard(Leadership leadership) {
    this.leadership = leadership;
  }

  @Override
  public void routes(JavalinConfig config, Authorizer auth) {
    config.routes.before(
        ctx -> {
          if (refused(ctx) && !leadership.isLeader()) {
            throw auth.fail(503, message(leadership.leader()));
          }
        });
  }

  /** Whether the call changes something, so that only the leader may serve it. */
  static boolean refused(Context ctx) {
    if (READS.contains(ctx.method())) {
      return false;
    }
    String path = ctx.path();
    if (path.startsWith("/api/v1/")) {
      return !path.equals("/api/v1/validate");
    }
    if (path.startsWith("/ui/api/")) {
      return !path.endsWith("/evaluate");
    }
    return false;
  }

  static String message(@Nullable String leader) {
    return "this Sluice process does not lead, so its API is read-only; "
        + (leader == null
            ? "no leader is known right now: retry in a few seconds"
            : "send this to the leader at " + leader);
  }
}
