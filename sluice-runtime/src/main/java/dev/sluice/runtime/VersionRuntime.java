package dev.sluice.runtime;

import java.util.List;

/**
 * A place where the versions of apps run, seen by the controller only as the endpoints each version
 * can be reached on.
 *
 * <p>Both the process supervisor and the static runtime implement it, so the controller builds
 * routing tables from either alike. Whether an endpoint is healthy is the router's business (it
 * health-checks every endpoint it is given); a runtime only says where a version's replicas listen.
 */
public interface VersionRuntime {

  /**
   * Returns the endpoints of a version in replica order, or an empty list when the runtime knows no
   * such version. Never blocks on process work; safe to call from any thread.
   */
  List<Endpoint> endpoints(String app, String version);
}
