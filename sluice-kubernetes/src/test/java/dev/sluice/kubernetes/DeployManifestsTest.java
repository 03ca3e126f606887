package dev.sluice.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.kubernetes.release.internal.ReleaseResource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The manifests in deploy/kubernetes fit the code: its sample spec reads, its CRD is the model's.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");
  private final KubernetesSerialization yaml = new KubernetesSerialization();

  @Test
  void theConfigMapHoldsASpecSluiceAccepts() throws Exception {
    ConfigMap cm =
        yaml.unmarshal(Files.readString(DEPLOY.resolve("configmap.yaml")), ConfigMap.class);
    AppSpec shop =
        SpecParser.parse(cm.getData().get("sluice.yaml"), "configmap.yaml")
            .app("shop")
            .orElseThrow();
    assertThat(shop.runtime()).isInstanceOf(RuntimeSpec.Kubernetes.class);
    assertThat(((RuntimeSpec.Kubernetes) shop.runtime()).namespace()).isEqualTo("shop");
  }

  @Test
  void theCrdDescribesTheReleaseResourceSluiceWatches() throws Exception {
    CustomResourceDefinition crd =
        yaml.unmarshal(
            Files.readString(DEPLOY.resolve("release-crd.yaml")), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo(HasMetadata.getGroup(ReleaseResource.class));
    assertThat(crd.getSpec().getNames().getKind())
        .isEqualTo(HasMetadata.getKind(ReleaseResource.class));
    assertThat(crd.getSpec().getNames().getPlural())
        .isEqualTo(HasMetadata.getPlural(ReleaseResource.class));
    assertThat(crd.getSpec().getVersions().get(0).getName())
        .isEqualTo(HasMetadata.getVersion(ReleaseResource.class));
    assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
  }
}
