package dev.sluice.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An API token as stored: its name, role and a hash of the secret (never the secret itself).
 *
 * @param hash hex SHA-256 of the token text
 * @param revokedAt when it was revoked; null while it is valid
 */
public record TokenRecord(
    String name, String role, String hash, Instant createdAt, @Nullable Instant revokedAt) {}
