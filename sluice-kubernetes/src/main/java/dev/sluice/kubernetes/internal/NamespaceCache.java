package dev.sluice.kubernetes.internal;

import dev.sluice.kubernetes.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Sluice created in one namespace, kept current by informers (a list, then a watch): the
 * Deployments and pods labelled {@code app.kubernetes.io/managed-by: sluice}.
 *
 * <p>The controller asks for health on every tick (10 times a second); reading informer caches
 * instead of the API server keeps that free, and the watch keeps it as current as a poll would.
 */
public final class NamespaceCache implements AutoCloseable {
  private final String namespace;
  private final SharedIndexInformer<Deployment> deployments;
  private final SharedIndexInformer<Pod> pods;

  private NamespaceCache(
      String namespace,
      SharedIndexInformer<Deployment> deployments,
      SharedIndexInformer<Pod> pods) {
    this.namespace = namespace;
    this.deployments = deployments;
    this.pods = pods;
  }

  /** Starts the informers and waits for their first list. */
  public static NamespaceCache start(KubernetesClient client, String namespace) {
    SharedIndexInformer<Deployment> d =
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withLabel(Names.MANAGED_BY, Names.SLUICE)
            .inform();
    try {
      SharedIndexInformer<Pod> p =
          client.pods().inNamespace(namespace).withLabel(Names.MANAGED_BY, Names.SLUICE).inform();
      return new NamespaceCache(namespace, d, p);
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  public String namespace() {
    return namespace;
  }

  /** The Deployment named {@code name}, as last seen; null when there is none. */
  public @Nullable Deployment deployment(String name) {
    return deployments.getStore().getByKey(namespace + "/" + name);
  }

  /** The Deployments of {@code app}. */
  public List<Deployment> deploymentsOf(String app) {
    return deployments.getStore().list().stream()
        .filter(d -> app.equals(labels(d.getMetadata().getLabels()).get(Names.APP)))
        .toList();
  }

  /** The pods of one version of an app that are not being deleted, by name. */
  public List<Pod> podsOf(String app, String version) {
    Map<String, String> selector = Names.selector(app, version);
    return pods.getStore().list().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(
            p -> labels(p.getMetadata().getLabels()).entrySet().containsAll(selector.entrySet()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static Map<String, String> labels(@Nullable Map<String, String> labels) {
    return labels == null ? Map.of() : labels;
  }

  @Override
  public void close() {
    deployments.close();
    pods.close();
  }
}
