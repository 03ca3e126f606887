package dev.sluice.core.spec;

import java.util.List;

/**
 * The hooks of a release, by phase.
 *
 * @param preRollout before the new version starts; a failure fails the release (use it for the
 *     "expand" half of a database migration)
 * @param prePromotion after the new version is healthy and before it gets traffic; a failure fails
 *     the release (smoke tests)
 * @param postPromotion after the new version took all traffic (the "contract" half of a migration);
 *     a failure is reported, the release stands
 * @param onRollback after traffic went back to the stable version; failures are reported and never
 *     block the rollback
 */
public record HooksSpec(
    List<HookSpec> preRollout,
    List<HookSpec> prePromotion,
    List<HookSpec> postPromotion,
    List<HookSpec> onRollback) {

  public HooksSpec {
    preRollout = List.copyOf(preRollout);
    prePromotion = List.copyOf(prePromotion);
    postPromotion = List.copyOf(postPromotion);
    onRollback = List.copyOf(onRollback);
  }

  public static HooksSpec none() {
    return new HooksSpec(List.of(), List.of(), List.of(), List.of());
  }
}
