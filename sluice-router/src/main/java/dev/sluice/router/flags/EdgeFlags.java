package dev.sluice.router.flags;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Feature flags that the router evaluates for every request of one app: where the targeting key and
 * the other context fields come from in the request, and the evaluator that turns them into
 * variants. Each variant goes upstream as a header {@code Sluice-Flag-<key>: <variant>}, and the
 * router counts requests, 5xx answers and latency per flag and variant.
 *
 * <pre>{@code
 * router.edgeFlags("shop", new EdgeFlags(
 *     Source.header("x-user-id"),
 *     Map.of("country", Source.header("x-country")),
 *     (targetingKey, context) -> List.of(new Assignment("new-checkout", "on"))));
 * }</pre>
 *
 * <p>Client-sent {@code Sluice-Flag-*} fields never reach an app: a client must not choose its own
 * variant.
 *
 * @param targetingKey where the targeting key is read; null for none (rollouts then see no key)
 * @param context other context fields by name, each read from a header or a cookie
 * @param evaluator called on the event loop for every request; it must be fast and must not block
 */
public record EdgeFlags(
    @Nullable Source targetingKey, Map<String, Source> context, Evaluator evaluator) {

  /** Validates and copies. */
  public EdgeFlags {
    context = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(context));
    Objects.requireNonNull(evaluator, "evaluator");
  }

  /** Where a value is read from in a request. */
  public record Source(Kind kind, String name) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** A request header or a cookie. */
    public enum Kind {
      HEADER,
      COOKIE
    }

    /** Validates. */
    public Source {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      if (!TOKEN.matcher(name).matches()) {
        throw new IllegalArgumentException(
            kind.name().toLowerCase(java.util.Locale.ROOT)
                + ": '"
                + name
                + "' (expected: a header or cookie name, letters, digits and !#$%&'*+.^_`|~-)");
      }
    }

    /** The first value of a request header (name compared ignoring case). */
    public static Source header(String name) {
      return new Source(Kind.HEADER, name);
    }

    /** A cookie of the {@code Cookie} header (name compared exactly). */
    public static Source cookie(String name) {
      return new Source(Kind.COOKIE, name);
    }
  }

  /** One flag's variant for one request. */
  public record Assignment(String flag, String variant) {
    /** Validates. */
    public Assignment {
      Objects.requireNonNull(flag, "flag");
      Objects.requireNonNull(variant, "variant");
    }
  }

  /**
   * Evaluates the listener's flags for one request. Runs on the router's event loop: no blocking,
   * no I/O. An exception is caught and counted as no assignment at all.
   */
  @FunctionalInterface
  public interface Evaluator {
    /**
     * Returns the variants for this request's fields; a flag that serves no variant (disabled, or
     * no default) is left out.
     *
     * @param targetingKey the targeting key read from the request, or null when it has none
     * @param context the other fields the request had (absent ones left out)
     */
    List<Assignment> evaluate(@Nullable String targetingKey, Map<String, String> context);
  }
}
