package dev.sluice.store.internal;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.Release;
import dev.sluice.store.ConcurrentAppendException;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagRolloutRecord;
import dev.sluice.store.FlagVersionRecord;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Lease;
import dev.sluice.store.LeaseLostException;
import dev.sluice.store.ReleaseRecord;
import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import dev.sluice.store.TokenRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The store over JDBC, with the same SQL for SQLite and PostgreSQL (both accept {@code ON CONFLICT
 * ... DO UPDATE} and {@code LIMIT}); where they differ (the database's clock, notifications, error
 * codes) {@link Database} says how. Every method is one transaction.
 *
 * <p>Decisions are rare (a few a second at most), so SQLite's single connection is plenty; on
 * PostgreSQL a small pool serves the controller, the API and the lease renewals at once.
 */
public final class JdbcStore implements Store {
  private final Database db;
  private final String description;
  private final @Nullable Supplier<@Nullable Lease> fence;

  private JdbcStore(Database db) {
    this(db, null);
  }

  private JdbcStore(Database db, @Nullable Supplier<@Nullable Lease> fence) {
    this.db = db;
    this.description = db.description();
    this.fence = fence;
  }

  @Override
  public Store fencedBy(Supplier<@Nullable Lease> fence) {
    return new JdbcStore(db, fence);
  }

  /** Opens an SQLite file, migrating its schema with Flyway. */
  public static JdbcStore sqlite(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return new JdbcStore(new Database.Sqlite(file));
    } catch (Exception e) {
      throw new StoreException("cannot open the SQLite store " + file + ": " + e.getMessage(), e);
    }
  }

  /** Opens a PostgreSQL database, migrating its schema with Flyway. */
  static JdbcStore postgres(StoreLocation.Postgres location) {
    try {
      return new JdbcStore(new Database.Postgres(location));
    } catch (Exception e) {
      throw new StoreException(
          "cannot open the PostgreSQL store " + location.display() + ": " + message(e), e);
    }
  }

  /** The deepest message, which says what went wrong (Flyway and Hikari wrap the driver's). */
  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public boolean isShared() {
    return db instanceof Database.Postgres;
  }

  @Override
  public List<String> apps() {
    return query(
        "list apps", "SELECT name FROM apps ORDER BY name", ps -> {}, rs -> rs.getString(1));
  }

  @Override
  public List<EventRecord> events(String app) {
    return events(app, 0, Integer.MAX_VALUE);
  }

  @Override
  public List<EventRecord> events(String app, long afterSeq, int limit) {
    return query(
        "read events of " + app,
        "SELECT seq, at, type, data FROM events WHERE app = ? AND seq > ? ORDER BY seq LIMIT ?",
        ps -> {
          ps.setString(1, app);
          ps.setLong(2, afterSeq);
          ps.setInt(3, limit);
        },
        rs ->
            new EventRecord(
                app,
                rs.getLong(1),
                Instant.parse(rs.getString(2)),
                EventCodec.decode(rs.getString(3), rs.getString(4))));
  }

  @Override
  public long lastSeq(String app) {
    List<Long> r =
        query(
            "read the last event of " + app,
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE app = ?",
            ps -> ps.setString(1, app),
            rs -> rs.getLong(1));
    return r.get(0);
  }

  @Override
  public void appendProjecting(List<EventRecord> records, List<Release> releases) {
    if (fence == null) {
      appendProjecting(records, releases, null);
      return;
    }
    Lease lease = fence.get();
    if (lease == null) {
      throw new LeaseLostException(
          "this process does not hold the leader lease, so it may not append; nothing was written");
    }
    appendProjecting(records, releases, lease);
  }

  @Override
  public void append(List<EventRecord> records, @Nullable Release release, @Nullable Lease fence) {
    appendProjecting(records, release == null ? List.<Release>of() : List.of(release), fence);
  }

  private void appendProjecting(
      List<EventRecord> records, List<Release> releases, @Nullable Lease fence) {
    if (records.isEmpty()) {
      return;
    }
    String app = records.get(0).app();
    try {
      db.transaction(
          c -> {
            if (fence != null) {
              checkFence(c, fence);
            }
            long last = lastSeq(c, app);
            if (records.get(0).seq() != last + 1) {
              throw new ConcurrentAppendException(
                  "event " + app + "#" + records.get(0).seq() + " does not follow #" + last);
            }
            if (last == 0) {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO apps (name, created_at) VALUES (?, ?)"
                          + " ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, app);
                ps.setString(2, records.get(0).at().toString());
                ps.executeUpdate();
              }
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO events (app, seq, at, type, data) VALUES (?, ?, ?, ?, ?)")) {
              long expected = last + 1;
              for (EventRecord r : records) {
                if (!r.app().equals(app) || r.seq() != expected++) {
                  throw new IllegalArgumentException(
                      "records must be one app's consecutive events");
                }
                Event e = r.event();
                ps.setString(1, app);
                ps.setLong(2, r.seq());
                ps.setString(3, r.at().toString());
                ps.setString(4, e.type());
                ps.setString(5, EventCodec.encode(e));
                ps.addBatch();
              }
              ps.executeBatch();
            }
            for (Release release : releases) {
              upsertRelease(c, app, release, records.get(records.size() - 1).at());
            }
            db.notifyChange(c, app);
            return null;
          });
    } catch (SQLException e) {
      if (db.isUniqueViolation(e) || db.isUniqueViolation(next(e))) {
        // another process appended the same seq between our read and our insert
        throw new ConcurrentAppendException(
            "event "
                + app
                + "#"
                + records.get(0).seq()
                + " does not follow the log: another"
                + " writer appended it first");
      }
      throw new StoreException(
          "cannot append "
              + records.size()
              + " events of "
              + app
              + " to the "
              + description
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** A batch failure carries the database's reason as its next exception. */
  private static SQLException next(SQLException e) {
    SQLException n = e.getNextException();
    return n == null ? e : n;
  }

  /**
   * Refuses the transaction unless {@code fence} is the current, unexpired lease. On PostgreSQL the
   * update also locks the lease row until commit, so a takeover waits for this append and then sees
   * its events; on SQLite the write lock does the same.
   */
  private void checkFence(Connection c, Lease fence) throws SQLException {
    long now = db.nowMillis(c);
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE leases SET epoch = epoch"
                + " WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?")) {
      ps.setString(1, fence.name());
      ps.setString(2, fence.holder());
      ps.setLong(3, fence.epoch());
      ps.setLong(4, now);
      if (ps.executeUpdate() == 1) {
        return;
      }
    }
    Optional<Lease> current = readLease(c, fence.name(), now);
    throw new LeaseLostException(
        "lease "
            + fence.name()
            + " epoch "
            + fence.epoch()
            + " of "
            + fence.holder()
            + " is no longer held (now: "
            + current
                .map(
                    l ->
                        "epoch "
                            + l.epoch()
                            + " of "
                            + l.holder()
                            + (l.expired() ? ", expired" : ""))
                .orElse("no lease")
            + "); nothing was written");
  }

  private static void upsertRelease(Connection c, String app, Release r, Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            """
            INSERT INTO releases
              (app, revision, version, strategy, trigger, status, reason, started_at, updated_at, spec)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (app, revision) DO UPDATE
              SET status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at
            """)) {
      ps.setString(1, app);
      ps.setInt(2, r.revision());
      ps.setString(3, r.version());
      ps.setString(4, r.spec().strategy().kind());
      ps.setString(5, r.trigger());
      ps.setString(6, r.phase().status());
      ps.setString(7, r.reason());
      ps.setString(8, r.startedAt().toString());
      ps.setString(9, at.toString());
      ps.setString(10, r.spec().snapshot());
      ps.executeUpdate();
    }
  }

  private static long lastSeq(Connection c, String app) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM events WHERE app = ?")) {
      ps.setString(1, app);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public List<ReleaseRecord> releases(String app) {
    return query(
        "read releases of " + app,
        "SELECT revision, version, strategy, trigger, status, reason, started_at, updated_at, spec"
            + " FROM releases WHERE app = ? ORDER BY revision DESC",
        ps -> ps.setString(1, app),
        rs ->
            new ReleaseRecord(
                app,
                rs.getInt(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                Instant.parse(rs.getString(7)),
                Instant.parse(rs.getString(8)),
                rs.getString(9)));
  }

  @Override
  public void putInstance(InstanceRecord i) {
    update(
        i.app(),
        "record replica " + i.app() + "/" + i.version() + "/" + i.index() + " in",
        """
        INSERT INTO instances (app, version, idx, pid, port, started_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (app, version, idx) DO UPDATE
          SET pid = excluded.pid, port = excluded.port, started_at = excluded.started_at
        """,
        ps -> {
          ps.setString(1, i.app());
          ps.setString(2, i.version());
          ps.setInt(3, i.index());
          ps.setLong(4, i.pid());
          ps.setInt(5, i.port());
          ps.setString(6, i.startedAt().toString());
        });
  }

  @Override
  public void removeInstance(String app, String version, int index) {
    update(
        app,
        "forget replica " + app + "/" + version + "/" + index + " in",
        "DELETE FROM instances WHERE app = ? AND version = ? AND idx = ?",
        ps -> {
          ps.setString(1, app);
          ps.setString(2, version);
          ps.setInt(3, index);
        });
  }

  @Override
  public List<InstanceRecord> instances() {
    return query(
        "list replicas",
        "SELECT app, version, idx, pid, port, started_at FROM instances ORDER BY app, version, idx",
        ps -> {},
        rs ->
            new InstanceRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getInt(3),
                rs.getLong(4),
                rs.getInt(5),
                Instant.parse(rs.getString(6))));
  }

  @Override
  public boolean addToken(TokenRecord t) {
    return update(
            null,
            "add token " + t.name() + " to",
            "INSERT INTO tokens (name, role, hash, created_at, environment) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (name) DO NOTHING",
            ps -> {
              ps.setString(1, t.name());
              ps.setString(2, t.role());
              ps.setString(3, t.hash());
              ps.setString(4, t.createdAt().toString());
              ps.setString(5, t.environment());
            })
        == 1;
  }

  @Override
  public java.util.Optional<TokenRecord> tokenByHash(String hash) {
    return query(
            "look up a token",
            "SELECT name, role, hash, created_at, revoked_at, environment FROM tokens WHERE hash = ?",
            ps -> ps.setString(1, hash),
            JdbcStore::token)
        .stream()
        .findFirst();
  }

  @Override
  public List<TokenRecord> tokens() {
    return query(
        "list tokens",
        "SELECT name, role, hash, created_at, revoked_at, environment FROM tokens ORDER BY name",
        ps -> {},
        JdbcStore::token);
  }

  private static TokenRecord token(ResultSet rs) throws SQLException {
    String revoked = rs.getString(5);
    return new TokenRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Instant.parse(rs.getString(4)),
        revoked == null ? null : Instant.parse(revoked),
        rs.getString(6));
  }

  @Override
  public boolean revokeToken(String name, Instant at) {
    return update(
            null,
            "revoke token " + name + " in",
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            ps -> {
              ps.setString(1, at.toString());
              ps.setString(2, name);
            })
        == 1;
  }

  // Feature flags (FlagStore).

  private static final String FLAG_VERSION_COLUMNS =
      "version, at, actor, action, detail, document FROM flag_versions";

  private static FlagVersionRecord flagVersion(ResultSet rs) throws SQLException {
    return new FlagVersionRecord(
        rs.getLong(1),
        Instant.parse(rs.getString(2)),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6));
  }

  @Override
  public Optional<FlagVersionRecord> latestFlagVersion() {
    return query(
            "read the flag set",
            "SELECT " + FLAG_VERSION_COLUMNS + " ORDER BY version DESC LIMIT 1",
            ps -> {},
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public Optional<FlagVersionRecord> latestFlagVersion(String action) {
    return query(
            "read the flag set's last " + action,
            "SELECT " + FLAG_VERSION_COLUMNS + " WHERE action = ? ORDER BY version DESC LIMIT 1",
            ps -> ps.setString(1, action),
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public Optional<FlagVersionRecord> flagVersion(long version) {
    return query(
            "read flag set version " + version,
            "SELECT " + FLAG_VERSION_COLUMNS + " WHERE version = ?",
            ps -> ps.setLong(1, version),
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public List<FlagVersionRecord> flagVersions(long afterVersion, int limit) {
    return query(
        "read flag set versions",
        "SELECT " + FLAG_VERSION_COLUMNS + " WHERE version > ? ORDER BY version LIMIT ?",
        ps -> {
          ps.setLong(1, afterVersion);
          ps.setInt(2, limit);
        },
        JdbcStore::flagVersion);
  }

  @Override
  public void appendFlagVersion(FlagVersionRecord version, List<FlagChangeRecord> changes) {
    for (FlagChangeRecord c : changes) {
      if (c.version() != version.version()) {
        throw new IllegalArgumentException(
            "change of " + c.key() + " belongs to version " + c.version() + ", not " + version);
      }
    }
    try {
      db.transaction(
          c -> {
            long last = Database.single(c, "SELECT COALESCE(MAX(version), 0) FROM flag_versions");
            if (version.version() != last + 1) {
              throw new ConcurrentAppendException(
                  "flag set version " + version.version() + " does not follow version " + last);
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO flag_versions (version, at, actor, action, detail, document)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
              ps.setLong(1, version.version());
              ps.setString(2, version.at().toString());
              ps.setString(3, version.actor());
              ps.setString(4, version.action());
              ps.setString(5, version.detail());
              ps.setString(6, version.document());
              ps.executeUpdate();
            }
            if (!changes.isEmpty()) {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO flag_changes (version, flag_key, before_json, after_json)"
                          + " VALUES (?, ?, ?, ?)")) {
                for (FlagChangeRecord ch : changes) {
                  ps.setLong(1, ch.version());
                  ps.setString(2, ch.key());
                  ps.setString(3, ch.before());
                  ps.setString(4, ch.after());
                  ps.addBatch();
                }
                ps.executeBatch();
              }
            }
            db.notifyChange(c, Store.FLAGS);
            return null;
          });
    } catch (SQLException e) {
      if (db.isUniqueViolation(e) || db.isUniqueViolation(next(e))) {
        throw new ConcurrentAppendException(
            "flag set version "
                + version.version()
                + " does not follow the last version: another"
                + " writer stored it first");
      }
      throw new StoreException(
          "cannot store flag set version "
              + version.version()
              + " in the "
              + description
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public List<FlagChangeRecord> flagChanges(String key) {
    return query(
        "read the history of flag " + key,
        "SELECT v.version, v.at, v.actor, v.action, v.detail, c.flag_key, c.before_json,"
            + " c.after_json FROM flag_changes c JOIN flag_versions v ON v.version = c.version"
            + " WHERE c.flag_key = ? ORDER BY v.version",
        ps -> ps.setString(1, key),
        rs ->
            new FlagChangeRecord(
                rs.getLong(1),
                Instant.parse(rs.getString(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8)));
  }

  @Override
  public Map<String, Long> lastFlagChanges() {
    Map<String, Long> out = new TreeMap<>();
    query(
        "read when flags last changed",
        "SELECT flag_key, MAX(version) FROM flag_changes GROUP BY flag_key",
        ps -> {},
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  @Override
  public void recordFlagEvaluations(Map<String, Instant> lastEvaluated) {
    if (lastEvaluated.isEmpty()) {
      return;
    }
    try {
      db.transaction(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO flag_evaluations (flag_key, last_at) VALUES (?, ?)"
                        + " ON CONFLICT (flag_key) DO UPDATE SET last_at = excluded.last_at"
                        + " WHERE excluded.last_at > flag_evaluations.last_at")) {
              for (Map.Entry<String, Instant> e : lastEvaluated.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue().toEpochMilli());
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
    } catch (SQLException e) {
      throw new StoreException(
          "cannot record flag evaluations in the " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Instant> flagEvaluations() {
    Map<String, Instant> out = new TreeMap<>();
    query(
        "read flag evaluations",
        "SELECT flag_key, last_at FROM flag_evaluations",
        ps -> {},
        rs -> out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
    return out;
  }

  @Override
  public void putFlagRollout(FlagRolloutRecord r) {
    update(
        Store.FLAGS,
        "store the rollout of flag " + r.key() + " in",
        """
        INSERT INTO flag_rollouts (flag_key, state, step, actor, reason, started_at, ended_at,
          updated_at, plan, written, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (flag_key) DO UPDATE
          SET state = excluded.state, step = excluded.step, actor = excluded.actor,
            reason = excluded.reason, started_at = excluded.started_at,
            ended_at = excluded.ended_at, updated_at = excluded.updated_at, plan = excluded.plan,
            written = excluded.written, events = excluded.events
        """,
        ps -> {
          ps.setString(1, r.key());
          ps.setString(2, r.state());
          ps.setInt(3, r.step());
          ps.setString(4, r.actor());
          ps.setString(5, r.reason());
          ps.setString(6, r.startedAt().toString());
          ps.setString(7, r.endedAt() == null ? null : r.endedAt().toString());
          ps.setString(8, r.updatedAt().toString());
          ps.setString(9, r.plan());
          ps.setString(10, r.written());
          ps.setString(11, r.events());
        });
  }

  private static final String FLAG_ROLLOUT_COLUMNS =
      "flag_key, state, step, actor, reason, started_at, ended_at, updated_at, plan, written,"
          + " events FROM flag_rollouts";

  private static FlagRolloutRecord flagRollout(ResultSet rs) throws SQLException {
    String ended = rs.getString(7);
    return new FlagRolloutRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getInt(3),
        rs.getString(4),
        rs.getString(5),
        Instant.parse(rs.getString(6)),
        ended == null ? null : Instant.parse(ended),
        Instant.parse(rs.getString(8)),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11));
  }

  @Override
  public Optional<FlagRolloutRecord> flagRollout(String key) {
    return query(
            "read the rollout of flag " + key,
            "SELECT " + FLAG_ROLLOUT_COLUMNS + " WHERE flag_key = ?",
            ps -> ps.setString(1, key),
            JdbcStore::flagRollout)
        .stream()
        .findFirst();
  }

  @Override
  public List<FlagRolloutRecord> flagRollouts() {
    return query(
        "list flag rollouts",
        "SELECT " + FLAG_ROLLOUT_COLUMNS + " ORDER BY flag_key",
        ps -> {},
        JdbcStore::flagRollout);
  }

  // Leases (LeaseStore).

  @Override
  public Lease acquireLease(String name, String holder, @Nullable String address, Duration ttl) {
    try {
      return db.transaction(
          c -> {
            long now = db.nowMillis(c);
            long until = now + ttl.toMillis();
            int n;
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO leases (name, holder, epoch, expires_at, address)"
                        + " VALUES (?, ?, 1, ?, ?) ON CONFLICT (name) DO NOTHING")) {
              ps.setString(1, name);
              ps.setString(2, holder);
              ps.setLong(3, until);
              ps.setString(4, address);
              n = ps.executeUpdate();
            }
            if (n == 0) {
              // Renewed in time: same epoch. Taken after expiry (even by the same holder) or from
              // another holder: a new epoch, which fences off every write of the term before.
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE leases SET epoch = CASE WHEN holder = ? AND expires_at > ?"
                          + " THEN epoch ELSE epoch + 1 END, holder = ?, expires_at = ?,"
                          + " address = ? WHERE name = ? AND (holder = ? OR expires_at <= ?)")) {
                ps.setString(1, holder);
                ps.setLong(2, now);
                ps.setString(3, holder);
                ps.setLong(4, until);
                ps.setString(5, address);
                ps.setString(6, name);
                ps.setString(7, holder);
                ps.setLong(8, now);
                ps.executeUpdate();
              }
            }
            return readLease(c, name, now).orElseThrow();
          });
    } catch (SQLException e) {
      throw new StoreException(
          "cannot acquire lease " + name + " in the " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Lease> lease(String name) {
    try {
      return db.transaction(c -> readLease(c, name, db.nowMillis(c)));
    } catch (SQLException e) {
      throw new StoreException(
          "cannot read lease " + name + " in the " + description + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Lease> readLease(Connection c, String name, long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT holder, epoch, expires_at, address FROM leases WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Lease(
                name,
                rs.getString(1),
                rs.getLong(2),
                rs.getString(4),
                Duration.ofMillis(Math.max(0, rs.getLong(3) - now))));
      }
    }
  }

  @Override
  public void releaseLease(Lease lease) {
    update(
        null,
        "release lease " + lease.name() + " in",
        "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND epoch = ?",
        ps -> {
          ps.setString(1, lease.name());
          ps.setString(2, lease.holder());
          ps.setLong(3, lease.epoch());
        });
  }

  @Override
  public AutoCloseable onChange(Consumer<String> listener) {
    return db.listen(listener);
  }

  @Override
  public void check() {
    query("check the store", "SELECT 1", ps -> {}, rs -> rs.getInt(1));
  }

  @Override
  public void close() {
    if (fence == null) {
      db.close(); // a fenced view shares the database of the store it came from
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String what, String sql, Binder binder, Row<T> row) {
    try {
      return db.transaction(
          c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              binder.bind(ps);
              List<T> out = new ArrayList<>();
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  out.add(row.read(rs));
                }
              }
              return out;
            }
          });
    } catch (SQLException e) {
      throw new StoreException(
          "cannot " + what + " in the " + description + ": " + e.getMessage(), e);
    }
  }

  /**
   * One statement in its own transaction; {@code app} is told to listeners when it changed one.
   *
   * @param what ends with its preposition: {@code "add token ci to"}
   * @return the number of rows changed
   */
  private int update(@Nullable String app, String what, String sql, Binder binder) {
    try {
      return db.transaction(
          c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              binder.bind(ps);
              n = ps.executeUpdate();
            }
            if (app != null && n > 0) {
              db.notifyChange(c, app);
            }
            return n;
          });
    } catch (SQLException e) {
      throw new StoreException("cannot " + what + " the " + description + ": " + e.getMessage(), e);
    }
  }
}
