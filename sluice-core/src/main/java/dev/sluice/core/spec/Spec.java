package dev.sluice.core.spec;

import java.util.List;
import java.util.Optional;

/**
 * A whole Sluice spec file: the apps Sluice fronts and how each is released.
 *
 * <p>Read one with {@link SpecParser#parse(String, String)}.
 */
public record Spec(List<AppSpec> apps) {

  public Spec {
    apps = List.copyOf(apps);
  }

  /** The app with this name, if the spec has one. */
  public Optional<AppSpec> app(String name) {
    return apps.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
