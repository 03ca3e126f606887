package dev.sluice.store;

import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.Release;
import dev.sluice.store.internal.JdbcStore;
import dev.sluice.store.internal.StoreLocation;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where Sluice keeps what it decided: each app's event log (the source of truth), the releases
 * projected from it, the replicas it started, API tokens, and the feature flag set with its
 * versions ({@link FlagStore}).
 *
 * <p>Two kinds: an SQLite file (one process, the default) and a PostgreSQL database, which several
 * Sluice processes can share; they agree on one leader through the {@link LeaseStore} leases, and
 * the leader's appends are fenced by its lease. Both run the same Flyway migrations.
 *
 * <p>Every method may throw {@link StoreException} when the store cannot be reached or written; a
 * failed {@link #append} wrote nothing. Messages name the store without its password.
 *
 * <p>{@code try (Store store = Store.open("postgres://sluice:pw@db:5432/sluice", baseDir)) { ... }}
 */
public interface Store extends FlagStore, LeaseStore, AutoCloseable {

  /** Opens (creating and migrating when needed) an SQLite store in {@code file}. */
  static Store sqlite(Path file) {
    return JdbcStore.sqlite(file);
  }

  /**
   * Opens the store at {@code location}, migrating its schema when needed:
   *
   * <ul>
   *   <li>{@code postgres://user:password@host:port/database?param=value} (or {@code
   *       postgresql://}): a PostgreSQL database. Several hosts may be listed ({@code
   *       host1:5432,host2:5432}); parameters go to the JDBC driver (e.g. {@code sslmode=require}).
   *       Without a password in the URL, the environment variable {@code SLUICE_STORE_PASSWORD} is
   *       used, which keeps it out of process listings.
   *   <li>{@code sqlite:PATH} or just {@code PATH}: an SQLite file; a relative path is resolved
   *       against {@code baseDir}.
   * </ul>
   *
   * @throws StoreException when the location is malformed or the store cannot be opened; the
   *     message names the location without its password
   */
  static Store open(String location, Path baseDir) {
    return StoreLocation.parse(location, baseDir).open();
  }

  /**
   * A store location fit for logs and output: the password (in the user part or a {@code password}
   * parameter) replaced by {@code ***}.
   */
  static String redact(String location) {
    return StoreLocation.redact(location);
  }

  /** What this store is, for people, without secrets: e.g. {@code PostgreSQL store pg://...}. */
  String description();

  /**
   * Whether several processes may use this store at once (PostgreSQL), so that they must elect a
   * leader; false for an SQLite file, which one daemon owns.
   */
  boolean isShared();

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
  default void append(List<EventRecord> records, @Nullable Release release) {
    appendProjecting(records, release == null ? List.<Release>of() : List.of(release));
  }

  /**
   * Appends one app's events in one transaction with the projections of every release they changed,
   * as each is after them (a batch may end one release and start the next: a deploy with {@code
   * --force}).
   *
   * @throws ConcurrentAppendException as {@link #append(List, Release)}
   */
  void appendProjecting(List<EventRecord> records, List<Release> releases);

  /**
   * Appends as {@link #append(List, Release)} does, in one transaction with a check that {@code
   * fence} is still the current, unexpired lease (same holder and epoch).
   *
   * @throws LeaseLostException when it is not; nothing was written
   * @throws ConcurrentAppendException as {@link #append(List, Release)}
   */
  void append(List<EventRecord> records, @Nullable Release release, Lease fence);

  /**
   * A view of this store whose {@link #append(List, Release)} is fenced by the lease {@code fence}
   * returns at that moment, as {@link #append(List, Release, Lease)} does; when it returns null
   * (this process does not lead), appends are refused with {@link LeaseLostException}. Everything
   * else goes to this store unchanged; closing the view closes nothing.
   */
  Store fencedBy(Supplier<@Nullable Lease> fence);

  /**
   * What {@link #onChange} listeners are told when any process stored a new version of the flag set
   * or wrote a flag rollout. No app has this name ({@code #} is not allowed in one).
   */
  String FLAGS = "#flags";

  /**
   * Calls {@code listener} with an app's name soon after any process appended events of it or
   * changed its replicas, with {@link #FLAGS} after a change of the flags, or with {@code *} when
   * changes may have been missed (after the store was unreachable). Best effort: a store that
   * cannot notify (SQLite) never calls it, so readers poll as well. The listener runs on a thread
   * of the store and must not block.
   *
   * @return stops the notifications
   */
  AutoCloseable onChange(Consumer<String> listener);

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
