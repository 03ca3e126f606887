package dev.sluice.core.spec;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A whole Sluice spec file: the apps Sluice fronts and how each is released.
 *
 * <p>Read one with {@link SpecParser#parse(String, String)}.
 *
 * @param apps the apps, in file order
 * @param flags the flag file to load and watch; null for none
 */
public record Spec(List<AppSpec> apps, @Nullable FlagsSpec flags) {

  public Spec {
    apps = List.copyOf(apps);
  }

  /** The app with this name, if the spec has one. */
  public Optional<AppSpec> app(String name) {
    return apps.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
