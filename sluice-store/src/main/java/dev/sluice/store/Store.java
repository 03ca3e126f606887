package dev.sluice.store;

import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.Release;
import dev.sluice.store.internal.JdbcStore;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where Sluice keeps what it decided: each app's event log (the source of truth), the releases
 * projected from it, the replicas it started, API tokens, and the feature flag set with its
 * versions ({@link FlagStore}).
 *
 * <p>Every method may throw {@link StoreException} when the store cannot be reached or written; a
 * failed {@link #append} wrote nothing.
 *
 * <p>{@code try (Store store = Store.sqlite(stateDir.resolve("sluice.db"))) { ... }}
 */
public interface Store extends FlagStore, AutoCloseable {

  /** Opens (creating and migrating when needed) an SQLite store in {@code file}. */
  static Store sqlite(Path file) {
    return JdbcStore.sqlite(file);
  }

  /** The apps that have events, in name order. */
  List<String> apps();

  /** An app's whole event log, oldest first. */
  List<EventRecord> events(String app);

  /** Up to {@code limit} events of an app after {@code afterSeq}, oldest first. */
  List<EventRecord> events(String app, long afterSeq, int limit);

  /** The sequence number of an app's last event; 0 when it has none. */
  long lastSeq(String app);

  /**
   * Appends one app's events in one transaction and updates the projection of {@code release} (the
   * app's release after these events, or null to leave releases alone).
   *
   * @throws ConcurrentAppendException when the first record does not follow the app's last event,
   *     i.e. someone else appended first; nothing was written
   */
  void append(List<EventRecord> records, @Nullable Release release);

  /** An app's releases, newest first. */
  List<ReleaseRecord> releases(String app);

  /** Records a replica the runtime started, so a restarted daemon can adopt it. */
  void putInstance(InstanceRecord instance);

  /** Forgets a replica that stopped. */
  void removeInstance(String app, String version, int index);

  /** All replicas recorded as running. */
  List<InstanceRecord> instances();

  /**
   * Adds a token.
   *
   * @return false when a token with that name exists already (nothing changed)
   */
  boolean addToken(TokenRecord token);

  /** The token with this hash, revoked or not. */
  java.util.Optional<TokenRecord> tokenByHash(String hash);

  /** All tokens, in name order. */
  List<TokenRecord> tokens();

  /**
   * Marks a token revoked.
   *
   * @return false when there is no valid token with that name
   */
  boolean revokeToken(String name, java.time.Instant at);

  /** Throws {@link StoreException} when the store cannot be used right now. */
  void check();

  @Override
  void close();
}
