package dev.sluice.core.spec;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One app: where its users connect, where its versions run, how health is checked, and the strategy
 * that releases a new version.
 *
 * @param name the app's name, lower-case letters, digits and '-'
 * @param listen the address the router accepts the app's traffic on
 * @param runtime where the app's versions run
 * @param health the active health check of each replica
 * @param timeouts the router's timeouts for this app
 * @param upstream outlier detection, retries and limits per replica
 * @param progressDeadline how long a new version may take to become healthy before the release
 *     fails (Argo Rollouts' {@code progressDeadlineSeconds}); default 10m
 * @param revisionHistoryLimit how many past releases can be rolled back to; default 10
 * @param strategy how a new version replaces the stable one
 * @param hooks commands and HTTP calls run at fixed points of a release
 * @param notifications webhooks told about releases
 * @param routing rules and sticky assignment ahead of the weights
 * @param hosts when apps share a listen address: the Host names this app answers (empty: any)
 * @param pathPrefix when apps share a listen address: the path prefix this app answers (null: any)
 * @param protocols TLS, HTTP/2 from clients and the protocol to replicas ({@code tls}, {@code
 *     http2}, {@code upstreamProtocol})
 * @param snapshot this app's spec as compact JSON, kept with every release so that a release always
 *     runs with the spec it started with
 * @param edgeFlags flags the router evaluates for every request; null for none
 */
public record AppSpec(
    String name,
    HostPort listen,
    RuntimeSpec runtime,
    HealthSpec health,
    TimeoutSpec timeouts,
    UpstreamSpec upstream,
    Duration progressDeadline,
    int revisionHistoryLimit,
    StrategySpec strategy,
    HooksSpec hooks,
    List<NotificationSpec> notifications,
    RoutingSpec routing,
    List<String> hosts,
    @Nullable String pathPrefix,
    ProtocolSpec protocols,
    String snapshot,
    @Nullable EdgeFlagsSpec edgeFlags) {

  public AppSpec {
    notifications = List.copyOf(notifications);
    hosts = List.copyOf(hosts);
  }

  /** The same app listening elsewhere (a per-process override; the snapshot is unchanged). */
  public AppSpec withListen(HostPort at) {
    return new AppSpec(
        name,
        at,
        runtime,
        health,
        timeouts,
        upstream,
        progressDeadline,
        revisionHistoryLimit,
        strategy,
        hooks,
        notifications,
        routing,
        hosts,
        pathPrefix,
        protocols,
        snapshot,
        edgeFlags);
  }
}
