package dev.sluice.kubernetes.internal;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.kubernetes.Names;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds the Deployment of one version: the pod template from the spec (or copied from the {@code
 * workloadRef} Deployment), {@code ${version}} replaced in every string, Sluice's labels added.
 */
public final class Workloads {
  private static final String PLACEHOLDER = "${version}";

  private Workloads() {}

  /** Why a version's Deployment cannot be made (for health details). */
  public static final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
      super(message);
    }
  }

  /**
   * The Deployment {@code version} of the app should have, at {@code replicas} pods.
   *
   * @param spec the spec of the release that started the version
   * @throws TemplateException when the workloadRef Deployment does not exist
   */
  public static Deployment deployment(
      KubernetesClient client,
      AppSpec spec,
      String version,
      int revision,
      int replicas,
      @Nullable String role)
      throws TemplateException {
    RuntimeSpec.Kubernetes k = (RuntimeSpec.Kubernetes) spec.runtime();
    PodTemplateSpec template = template(client, k, version);
    ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> podLabels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      podLabels.putAll(meta.getLabels());
    }
    podLabels.putAll(Names.selector(spec.name(), version));
    podLabels.put(Names.MANAGED_BY, Names.SLUICE);
    meta.setLabels(podLabels);
    meta.setName(null);
    meta.setNamespace(null);
    template.setMetadata(meta);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(Names.deployment(spec.name(), version))
        .withNamespace(k.namespace())
        .withLabels(labels(spec.name(), version, role))
        .withAnnotations(Map.of(Names.VERSION, version, Names.REVISION, Integer.toString(revision)))
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withProgressDeadlineSeconds(
            (int) Math.min(Integer.MAX_VALUE, spec.progressDeadline().toSeconds()))
        .withRevisionHistoryLimit(1)
        .withNewSelector()
        .withMatchLabels(Names.selector(spec.name(), version))
        .endSelector()
        .withTemplate(template)
        .endSpec()
        .build();
  }

  /** The labels of a version's Deployment with its role (none when {@code role} is null). */
  public static Map<String, String> labels(String app, String version, @Nullable String role) {
    Map<String, String> labels = new LinkedHashMap<>(Names.selector(app, version));
    labels.put(Names.MANAGED_BY, Names.SLUICE);
    if (role != null) {
      labels.put(Names.ROLE, role);
    }
    return labels;
  }

  private static PodTemplateSpec template(
      KubernetesClient client, RuntimeSpec.Kubernetes k, String version) throws TemplateException {
    KubernetesSerialization json = client.getKubernetesSerialization();
    String text;
    if (k.deploymentTemplate() != null) {
      text = k.deploymentTemplate();
    } else {
      String ref = k.workloadRef();
      Deployment source =
          client.apps().deployments().inNamespace(k.namespace()).withName(ref).get();
      if (source == null || source.getSpec() == null || source.getSpec().getTemplate() == null) {
        throw new TemplateException(
            "workloadRef Deployment " + k.namespace() + "/" + ref + " does not exist");
      }
      PodTemplateSpec copy = source.getSpec().getTemplate();
      if (copy.getMetadata() != null) {
        copy.getMetadata().setCreationTimestamp(null);
      }
      text = json.asJson(copy);
    }
    // A version name holds only letters, digits, '.', '_' and '-': nothing JSON must escape.
    return json.unmarshal(text.replace(PLACEHOLDER, version), PodTemplateSpec.class);
  }

  /** The port the pods of a version listen on: the spec's targetPort, else the first one named. */
  public static int targetPort(RuntimeSpec.Kubernetes k, @Nullable Deployment d) {
    if (k.targetPort() != null) {
      return k.targetPort();
    }
    if (d != null && d.getSpec() != null && d.getSpec().getTemplate() != null) {
      var spec = d.getSpec().getTemplate().getSpec();
      if (spec != null && spec.getContainers() != null) {
        for (Container c : spec.getContainers()) {
          if (c.getPorts() != null) {
            for (ContainerPort p : c.getPorts()) {
              if (p.getContainerPort() != null) {
                return p.getContainerPort();
              }
            }
          }
        }
      }
    }
    return 8080;
  }
}
