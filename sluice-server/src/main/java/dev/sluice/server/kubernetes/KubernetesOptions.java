package dev.sluice.server.kubernetes;

import dev.sluice.kubernetes.lease.LeaseElection;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jspecify.annotations.Nullable;

/**
 * How the daemon reaches Kubernetes when its spec has apps with a {@code kubernetes} runtime.
 *
 * @param client the client to use (it stays the caller's to close); null to build one the usual
 *     way: from {@code KUBECONFIG} or {@code ~/.kube/config}, or in a pod from its service account
 * @param lease the Lease to elect a leader on; null for a single instance, which always leads
 * @param watchReleases whether {@code Release} resources in the apps' namespaces start deploys
 */
public record KubernetesOptions(
    @Nullable KubernetesClient client, @Nullable Lease lease, boolean watchReleases) {

  /** A client built from the environment, no leader election, Releases watched. */
  public static final KubernetesOptions AUTO = new KubernetesOptions(null, null, true);

  /**
   * A Lease to elect the leader on.
   *
   * @param identity this instance among the candidates (the pod's name)
   */
  public record Lease(
      String namespace, String name, String identity, LeaseElection.Timing timing) {}

  public KubernetesOptions withClient(KubernetesClient client) {
    return new KubernetesOptions(client, lease, watchReleases);
  }

  public KubernetesOptions withLease(@Nullable Lease lease) {
    return new KubernetesOptions(client, lease, watchReleases);
  }
}
