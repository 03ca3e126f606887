package dev.sluice.kubernetes.internal;

import dev.sluice.kubernetes.Names;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Points an app's Services at its versions by their selectors, as Argo Rollouts does: a Service
 * that exists keeps everything but the two selector keys Sluice owns ({@code app} and {@code
 * sluice.dev/version}); a missing one is created with one HTTP port.
 */
final class Services {
  private final KubernetesClient client;
  private final String app;
  private final String namespace;
  private final int port;

  Services(KubernetesClient client, String app, String namespace, int port) {
    this.client = client;
    this.app = app;
    this.namespace = namespace;
    this.port = port;
  }

  /**
   * Makes Service {@code name} select the pods of {@code version}, or every version's pods when it
   * is null.
   */
  void select(String name, @Nullable String version, int targetPort) {
    Service existing = client.services().inNamespace(namespace).withName(name).get();
    if (existing == null) {
      Map<String, String> selector = new LinkedHashMap<>();
      selector.put(Names.APP, app);
      if (version != null) {
        selector.put(Names.VERSION, Names.versionLabel(version));
      }
      Service s =
          new ServiceBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .withLabels(Map.of(Names.APP, app, Names.MANAGED_BY, Names.SLUICE))
              .endMetadata()
              .withNewSpec()
              .withSelector(selector)
              .addNewPort()
              .withName("http")
              .withProtocol("TCP")
              .withPort(port)
              .withTargetPort(new IntOrString(targetPort))
              .endPort()
              .endSpec()
              .build();
      try {
        client.services().inNamespace(namespace).resource(s).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) { // made by someone else since: the next pass edits it
          throw e;
        }
      }
      return;
    }
    Map<String, String> old =
        existing.getSpec().getSelector() == null ? Map.of() : existing.getSpec().getSelector();
    Map<String, String> selector = new LinkedHashMap<>(old);
    selector.put(Names.APP, app);
    if (version != null) {
      selector.put(Names.VERSION, Names.versionLabel(version));
    } else {
      selector.remove(Names.VERSION);
    }
    if (!selector.equals(old)) {
      client
          .services()
          .inNamespace(namespace)
          .withName(name)
          .edit(
              s -> {
                s.getSpec().setSelector(selector);
                return s;
              });
    }
  }

  /** The in-cluster URL of Service {@code name}. */
  String url(String name) {
    return "http://" + name + "." + namespace + ".svc:" + port;
  }

  /** The version Service {@code name} selects now; null when none or it does not exist. */
  @Nullable String selected(String name) {
    Service s = client.services().inNamespace(namespace).withName(name).get();
    return s == null || s.getSpec().getSelector() == null
        ? null
        : Objects.requireNonNullElse(s.getSpec().getSelector().get(Names.VERSION), null);
  }

  String namespace() {
    return namespace;
  }
}
