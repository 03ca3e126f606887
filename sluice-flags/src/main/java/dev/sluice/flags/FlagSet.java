package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.CompiledFlag;
import dev.sluice.flags.internal.FlagSetParser;
import dev.sluice.flags.internal.ParsedFlagSet;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, validated set of flags in flagd's JSON format, with Sluice's extensions
 * (per-environment overrides, lifecycle metadata), compiled for evaluation.
 *
 * <pre>{@code
 * FlagSet flags = FlagSet.parse("""
 *     {"flags": {"new-checkout": {
 *        "state": "ENABLED",
 *        "variants": {"on": true, "off": false},
 *        "defaultVariant": "off",
 *        "targeting": {"fractional": [["on", 10], ["off", 90]]}}}}
 *     """);
 * String etag = flags.etag();            // for ETag / If-None-Match
 * String flagd = flags.toFlagdJson("production");
 * }</pre>
 *
 * <p>{@link #parse} checks everything and throws {@link InvalidFlagSetException} listing every
 * problem; a set that exists is valid. Two sets are equal when their documents mean the same (same
 * {@link #contentHash()}), whatever their key order or whitespace.
 */
public final class FlagSet {
  private static final FlagSet EMPTY = parse("{\"flags\": {}}");

  private final ParsedFlagSet model;
  private final Map<String, Flag> flags;

  private FlagSet(ParsedFlagSet model) {
    this.model = model;
    Map<String, Flag> byKey = new TreeMap<>();
    model.flags().forEach((key, compiled) -> byKey.put(key, new Flag(compiled)));
    this.flags = Collections.unmodifiableMap(new LinkedHashMap<>(byKey));
  }

  /** A set with no flags. */
  public static FlagSet empty() {
    return EMPTY;
  }

  /**
   * Parses and validates a flag set document.
   *
   * @throws InvalidFlagSetException listing every problem, when the document is not valid
   */
  public static FlagSet parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses and validates a UTF-8 flag set document; see {@link #parse(String)}. */
  public static FlagSet parse(byte[] utf8Json) {
    return new FlagSet(FlagSetParser.parse(utf8Json));
  }

  /** Validates an already parsed document (it is copied); see {@link #parse(String)}. */
  public static FlagSet of(JsonNode document) {
    return new FlagSet(FlagSetParser.parse(document));
  }

  /** The flag with {@code key}, if any. */
  public Optional<Flag> flag(String key) {
    return Optional.ofNullable(flags.get(key));
  }

  /** All flags by key, in key order. */
  public Map<String, Flag> flags() {
    return flags;
  }

  /** The set-level {@code metadata}: strings, booleans, Longs and Doubles. */
  public Map<String, Object> metadata() {
    return model.metadata();
  }

  /** Every environment that at least one flag overrides. */
  public Set<String> environments() {
    return model.environments();
  }

  /** Hex SHA-256 of the document's canonical form; changes exactly when the content does. */
  public String contentHash() {
    return model.contentHash();
  }

  /** A strong HTTP entity tag for this content, quotes included: {@code "3f2a..."}. */
  public String etag() {
    return "\"" + model.contentHash().substring(0, 32) + "\"";
  }

  /** The document with Sluice's extensions, pretty-printed; {@code parse(toJson())} equals this. */
  public String toJson() {
    return model.toJson();
  }

  /**
   * The set as plain flagd reads it: each flag's overrides for {@code environment} applied and the
   * {@code environments} extension removed. With a null environment, the base definitions.
   */
  public String toFlagdJson(@Nullable String environment) {
    return model.toFlagdJson(environment);
  }

  /**
   * The keys of flags added, removed or changed (in what decides their evaluation) since {@code
   * previous}.
   */
  public Set<String> changedKeys(FlagSet previous) {
    Set<String> changed = new TreeSet<>();
    Map<String, CompiledFlag> before = previous.model.flags();
    Map<String, CompiledFlag> after = model.flags();
    for (Map.Entry<String, CompiledFlag> e : after.entrySet()) {
      CompiledFlag old = before.get(e.getKey());
      if (old == null || !old.fingerprint().equals(e.getValue().fingerprint())) {
        changed.add(e.getKey());
      }
    }
    for (String key : before.keySet()) {
      if (!after.containsKey(key)) {
        changed.add(key);
      }
    }
    return changed;
  }

  ParsedFlagSet model() {
    return model;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FlagSet other && other.contentHash().equals(contentHash());
  }

  @Override
  public int hashCode() {
    return contentHash().hashCode();
  }

  @Override
  public String toString() {
    return "FlagSet[" + flags.size() + " flags, " + etag() + "]";
  }
}
