package dev.sluice.kubernetes.internal;

import dev.sluice.core.spec.KubernetesTraffic;
import org.jspecify.annotations.Nullable;

/**
 * Blue-green by a Service's selector: the Service users reach selects the stable version, and the
 * switch is one change of its selector; a preview Service selects the new version before it.
 */
final class ServiceSwitchRouter implements TrafficRouter {
  private final Services services;
  private final KubernetesTraffic.Service spec;

  ServiceSwitchRouter(Services services, KubernetesTraffic.Service spec) {
    this.services = services;
    this.spec = spec;
  }

  @Override
  public void route(Roles roles, int targetPort) {
    if (roles.stable() != null) {
      services.select(spec.name(), roles.stable(), targetPort);
    }
    String preview = roles.preview() != null ? roles.preview() : roles.stable();
    if (spec.previewName() != null && preview != null) {
      services.select(spec.previewName(), preview, targetPort);
    }
  }

  @Override
  public @Nullable String url(Roles roles, String version) {
    if (spec.previewName() != null && version.equals(roles.preview())) {
      return services.url(spec.previewName());
    }
    return version.equals(roles.stable()) ? services.url(spec.name()) : null;
  }

  @Override
  public @Nullable String previewService() {
    return spec.previewName();
  }
}
