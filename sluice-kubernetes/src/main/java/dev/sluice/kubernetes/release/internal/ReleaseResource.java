package dev.sluice.kubernetes.release.internal;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@code Release} ({@code sluice.dev/v1alpha1}): which version of which app should be released
 * ({@code spec}), and how that release is going ({@code status}). Mutable beans, as the client's
 * serialization wants them; the CRD is {@code deploy/kubernetes/release-crd.yaml}.
 */
@Group("sluice.dev")
@Version("v1alpha1")
@Kind("Release")
@Plural("releases")
@Singular("release")
public class ReleaseResource extends CustomResource<ReleaseResource.Spec, ReleaseResource.Status>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** What to release. */
  public static class Spec {
    private @Nullable String app;
    private @Nullable String version;

    public @Nullable String getApp() {
      return app;
    }

    public void setApp(@Nullable String app) {
      this.app = app;
    }

    public @Nullable String getVersion() {
      return version;
    }

    public void setVersion(@Nullable String version) {
      this.version = version;
    }
  }

  /** How the release is going, as Sluice last wrote it. */
  public static class Status {
    private @Nullable Long observedGeneration;
    private @Nullable String phase;
    private @Nullable Integer revision;
    private Map<String, Integer> weights = new LinkedHashMap<>();
    private @Nullable String message;

    public @Nullable Long getObservedGeneration() {
      return observedGeneration;
    }

    public void setObservedGeneration(@Nullable Long observedGeneration) {
      this.observedGeneration = observedGeneration;
    }

    public @Nullable String getPhase() {
      return phase;
    }

    public void setPhase(@Nullable String phase) {
      this.phase = phase;
    }

    public @Nullable Integer getRevision() {
      return revision;
    }

    public void setRevision(@Nullable Integer revision) {
      this.revision = revision;
    }

    public Map<String, Integer> getWeights() {
      return weights;
    }

    public void setWeights(@Nullable Map<String, Integer> weights) {
      this.weights = weights == null ? new LinkedHashMap<>() : weights;
    }

    public @Nullable String getMessage() {
      return message;
    }

    public void setMessage(@Nullable String message) {
      this.message = message;
    }
  }
}
