package dev.sluice.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An API token as stored: its name, role and a hash of the secret (never the secret itself).
 *
 * @param hash hex SHA-256 of the token text
 * @param revokedAt when it was revoked; null while it is valid
 * @param environment the flag environment evaluations with this token use; null for none
 */
public record TokenRecord(
    String name,
    String role,
    String hash,
    Instant createdAt,
    @Nullable Instant revokedAt,
    @Nullable String environment) {

  /** A token without a flag environment. */
  public TokenRecord(
      String name, String role, String hash, Instant createdAt, @Nullable Instant revokedAt) {
    this(name, role, hash, createdAt, revokedAt, null);
  }
}
