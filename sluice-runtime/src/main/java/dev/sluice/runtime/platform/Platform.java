package dev.sluice.runtime.platform;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.spec.AppSpec;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where releases happen: what runs the versions and moves their traffic. On one host that is
 * Sluice's own router and process supervisor ({@code LocalPlatform}); on Kubernetes, Deployments
 * and a Service, HTTPRoute or VirtualService.
 *
 * <p>The controller calls every method on its own thread, after each decision and on every tick: a
 * platform makes the world match the state (level-triggered, like a Kubernetes controller), so
 * calling {@link #reconcile} again with the same state changes nothing. Completions of slow work
 * (draining, stopping) come back through the executor the platform was given.
 */
public interface Platform extends AutoCloseable {

  /**
   * Prepares an app before the controller starts (binds its listeners, say).
   *
   * @throws java.io.UncheckedIOException when an address cannot be used
   */
  void register(AppSpec app);

  /**
   * Takes over what a previous daemon left running for these apps (replicas that survived a crash),
   * so a restart does not restart healthy replicas.
   */
  void adopt(Collection<AppState> apps);

  /** The health of each version that should run, by version. */
  Map<String, VersionHealth> health(AppState state);

  /** Makes the runtime and the traffic split match {@code state}. */
  void reconcile(AppState state);

  /** A base URL that reaches {@code version} of the app (for hooks), or null when none yet. */
  @Nullable String baseUrl(AppState state, String version);

  /** Where the app's users connect, and where its preview is (null when none). */
  InetSocketAddress listenAddress(String app);

  @Nullable InetSocketAddress previewAddress(String app);

  /** The replicas of one version, for people. */
  List<ReplicaView> replicas(AppState state, String version);

  /** Stops routing (listeners) and whatever else the platform holds; not the replicas. */
  @Override
  void close();
}
