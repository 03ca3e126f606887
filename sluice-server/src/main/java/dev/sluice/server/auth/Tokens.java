package dev.sluice.server.auth;

import dev.sluice.store.Store;
import dev.sluice.store.TokenRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * API tokens: random secrets shown once, stored as SHA-256 hashes. A plain hash is enough because
 * tokens carry 256 random bits (no dictionary to guess from); a slow password hash would only slow
 * every API call.
 *
 * <p>Verified tokens are cached by hash; revoking drops the cache.
 */
public final class Tokens {
  public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

  /** What a token's flag environment may be called: letters, digits, '.', '_', '-'. */
  public static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Store store;
  private final Clock clock;
  private final Map<String, Principal> valid = new ConcurrentHashMap<>();

  public Tokens(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A new random token text. */
  public static String newSecret() {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return "slc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /**
   * Creates a token and returns its text, which is not kept.
   *
   * @throws IllegalArgumentException when the name is malformed or taken
   */
  public String create(String name, Role role) {
    return create(name, role, null);
  }

  /**
   * Creates a token whose flag evaluations use {@code environment} (null for none) and returns its
   * text, which is not kept.
   *
   * @throws IllegalArgumentException when the name or environment is malformed or the name taken
   */
  public String create(String name, Role role, @Nullable String environment) {
    String secret = newSecret();
    add(name, role, secret, environment);
    return secret;
  }

  /** Registers a token whose text the caller chose (the admin token of the state directory). */
  public void add(String name, Role role, String secret) {
    add(name, role, secret, null);
  }

  private void add(String name, Role role, String secret, @Nullable String environment) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: \""
              + name
              + "\" (expected: lower-case letters, digits, '.', '_', '-', at most 63)");
    }
    if (environment != null && !ENVIRONMENT.matcher(environment).matches()) {
      throw new IllegalArgumentException(
          "environment: \""
              + environment
              + "\" (expected: letters, digits, '.', '_', '-', at most 63)");
    }
    if (!store.addToken(
        new TokenRecord(name, role.label(), hash(secret), clock.instant(), null, environment))) {
      throw new IllegalArgumentException(
          "name: \"" + name + "\" (expected: a name no token has yet)");
    }
  }

  /** Whether a valid token with this name exists. */
  public boolean exists(String name) {
    return store.tokens().stream().anyMatch(t -> t.name().equals(name) && t.revokedAt() == null);
  }

  /** The holder of a token text, if it is valid. */
  public Optional<Principal> verify(String secret) {
    String h = hash(secret);
    Principal cached = valid.get(h);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<TokenRecord> t = store.tokenByHash(h).filter(r -> r.revokedAt() == null);
    Optional<Principal> p =
        t.flatMap(
            r -> Role.parse(r.role()).map(role -> new Principal(r.name(), role, r.environment())));
    p.ifPresent(x -> valid.put(h, x));
    return p;
  }

  public List<TokenRecord> list() {
    return store.tokens();
  }

  /** Revokes a token; false when there was no valid token of that name. */
  public boolean revoke(String name) {
    boolean done = store.revokeToken(name, clock.instant());
    valid.values().removeIf(p -> p.name().equals(name));
    return done;
  }

  static String hash(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
