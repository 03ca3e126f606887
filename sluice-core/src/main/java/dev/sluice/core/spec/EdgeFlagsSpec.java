package dev.sluice.core.spec;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Flags the router evaluates for every request of an app ({@code edgeFlags}): the variant of each
 * goes to the app in a header {@code Sluice-Flag-<key>: <variant>}, and the router keeps its
 * metrics per variant.
 *
 * <pre>
 * edgeFlags:
 *   keys: [new-checkout]
 *   targetingKey: {header: x-user-id}     # or {cookie: uid}
 *   environment: production               # optional: the flag environment evaluated
 *   context:
 *     country: {header: x-country}
 * </pre>
 *
 * @param keys the flags, in order; unique
 * @param targetingKey where the targeting key is read; null for none
 * @param context other context attributes by name, each read from a header or a cookie
 * @param environment the flag environment the flags are evaluated in; null for the flags' base
 *     definitions. Never taken from the request: a client cannot choose it.
 */
public record EdgeFlagsSpec(
    List<String> keys,
    @Nullable Source targetingKey,
    Map<String, Source> context,
    @Nullable String environment) {

  public EdgeFlagsSpec {
    keys = List.copyOf(keys);
    context = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context));
  }

  /** A request header or a cookie. */
  public record Source(Kind kind, String name) {
    public enum Kind {
      HEADER,
      COOKIE
    }
  }
}
