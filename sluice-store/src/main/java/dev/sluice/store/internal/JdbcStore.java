package dev.sluice.store.internal;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.Release;
import dev.sluice.store.ConcurrentAppendException;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.FlagVersionRecord;
import dev.sluice.store.InstanceRecord;
import dev.sluice.store.ReleaseRecord;
import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import dev.sluice.store.TokenRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * The store over one JDBC connection, used by one thread at a time. Decisions are rare (a few a
 * second at most), so one connection with each append in one transaction is plenty, and it keeps
 * SQLite's single-writer rule trivially true.
 */
public final class JdbcStore implements Store {
  private final Connection connection;
  private final String description;

  private JdbcStore(Connection connection, String description) {
    this.connection = connection;
    this.description = description;
  }

  /** Opens an SQLite file, migrating its schema with Flyway. */
  public static JdbcStore sqlite(Path file) {
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      migrate(url, null, null);
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        // WAL lets readers proceed during a write; FULL makes each commit durable, because a
        // decision that is lost on power failure is a decision applied without a log entry.
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA foreign_keys=ON");
        s.execute("PRAGMA busy_timeout=5000");
      }
      c.setAutoCommit(false);
      return new JdbcStore(c, "SQLite store " + file.getFileName());
    } catch (Exception e) {
      throw new StoreException("cannot open the SQLite store " + file + ": " + e.getMessage(), e);
    }
  }

  static void migrate(String url, @Nullable String user, @Nullable String password) {
    Flyway.configure()
        .dataSource(url, user, password)
        .locations("classpath:db/migration")
        .loggers("slf4j")
        .load()
        .migrate();
  }

  @Override
  public synchronized List<String> apps() {
    return query(
        "list apps", "SELECT name FROM apps ORDER BY name", ps -> {}, rs -> rs.getString(1));
  }

  @Override
  public List<EventRecord> events(String app) {
    return events(app, 0, Integer.MAX_VALUE);
  }

  @Override
  public synchronized List<EventRecord> events(String app, long afterSeq, int limit) {
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
  public synchronized long lastSeq(String app) {
    List<Long> r =
        query(
            "read the last event of " + app,
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE app = ?",
            ps -> ps.setString(1, app),
            rs -> rs.getLong(1));
    return r.get(0);
  }

  @Override
  public synchronized void append(List<EventRecord> records, @Nullable Release release) {
    if (records.isEmpty()) {
      return;
    }
    String app = records.get(0).app();
    try {
      long last = lastSeqInTx(app);
      if (records.get(0).seq() != last + 1) {
        connection.rollback();
        throw new ConcurrentAppendException(
            "event " + app + "#" + records.get(0).seq() + " does not follow #" + last);
      }
      if (last == 0) {
        try (PreparedStatement ps =
            connection.prepareStatement(
                "INSERT INTO apps (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
          ps.setString(1, app);
          ps.setString(2, records.get(0).at().toString());
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps =
          connection.prepareStatement(
              "INSERT INTO events (app, seq, at, type, data) VALUES (?, ?, ?, ?, ?)")) {
        long expected = last + 1;
        for (EventRecord r : records) {
          if (!r.app().equals(app) || r.seq() != expected++) {
            throw new IllegalArgumentException("records must be one app's consecutive events");
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
      if (release != null) {
        upsertRelease(app, release, records.get(records.size() - 1).at());
      }
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
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
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  private void upsertRelease(String app, Release r, Instant at) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
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

  private long lastSeqInTx(String app) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM events WHERE app = ?")) {
      ps.setString(1, app);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public synchronized List<ReleaseRecord> releases(String app) {
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
  public synchronized void putInstance(InstanceRecord i) {
    update(
        "record replica " + i.app() + "/" + i.version() + "/" + i.index(),
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
  public synchronized void removeInstance(String app, String version, int index) {
    update(
        "forget replica " + app + "/" + version + "/" + index,
        "DELETE FROM instances WHERE app = ? AND version = ? AND idx = ?",
        ps -> {
          ps.setString(1, app);
          ps.setString(2, version);
          ps.setInt(3, index);
        });
  }

  @Override
  public synchronized List<InstanceRecord> instances() {
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
  public synchronized boolean addToken(TokenRecord t) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO tokens (name, role, hash, created_at, environment) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (name) DO NOTHING")) {
      ps.setString(1, t.name());
      ps.setString(2, t.role());
      ps.setString(3, t.hash());
      ps.setString(4, t.createdAt().toString());
      ps.setString(5, t.environment());
      int n = ps.executeUpdate();
      connection.commit();
      return n == 1;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot add token " + t.name() + " to the " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized java.util.Optional<TokenRecord> tokenByHash(String hash) {
    return query(
            "look up a token",
            "SELECT name, role, hash, created_at, revoked_at, environment FROM tokens WHERE hash = ?",
            ps -> ps.setString(1, hash),
            JdbcStore::token)
        .stream()
        .findFirst();
  }

  @Override
  public synchronized List<TokenRecord> tokens() {
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
  public synchronized boolean revokeToken(String name, Instant at) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")) {
      ps.setString(1, at.toString());
      ps.setString(2, name);
      int n = ps.executeUpdate();
      connection.commit();
      return n == 1;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot revoke token " + name + " in the " + description + ": " + e.getMessage(), e);
    }
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
  public synchronized Optional<FlagVersionRecord> latestFlagVersion() {
    return query(
            "read the flag set",
            "SELECT " + FLAG_VERSION_COLUMNS + " ORDER BY version DESC LIMIT 1",
            ps -> {},
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public synchronized Optional<FlagVersionRecord> latestFlagVersion(String action) {
    return query(
            "read the flag set's last " + action,
            "SELECT " + FLAG_VERSION_COLUMNS + " WHERE action = ? ORDER BY version DESC LIMIT 1",
            ps -> ps.setString(1, action),
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public synchronized Optional<FlagVersionRecord> flagVersion(long version) {
    return query(
            "read flag set version " + version,
            "SELECT " + FLAG_VERSION_COLUMNS + " WHERE version = ?",
            ps -> ps.setLong(1, version),
            JdbcStore::flagVersion)
        .stream()
        .findFirst();
  }

  @Override
  public synchronized List<FlagVersionRecord> flagVersions(long afterVersion, int limit) {
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
  public synchronized void appendFlagVersion(
      FlagVersionRecord version, List<FlagChangeRecord> changes) {
    for (FlagChangeRecord c : changes) {
      if (c.version() != version.version()) {
        throw new IllegalArgumentException(
            "change of " + c.key() + " belongs to version " + c.version() + ", not " + version);
      }
    }
    try {
      long last;
      try (PreparedStatement ps =
              connection.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM flag_versions");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        last = rs.getLong(1);
      }
      if (version.version() != last + 1) {
        connection.rollback();
        throw new ConcurrentAppendException(
            "flag set version " + version.version() + " does not follow version " + last);
      }
      try (PreparedStatement ps =
          connection.prepareStatement(
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
            connection.prepareStatement(
                "INSERT INTO flag_changes (version, flag_key, before_json, after_json)"
                    + " VALUES (?, ?, ?, ?)")) {
          for (FlagChangeRecord c : changes) {
            ps.setLong(1, c.version());
            ps.setString(2, c.key());
            ps.setString(3, c.before());
            ps.setString(4, c.after());
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot store flag set version "
              + version.version()
              + " in the "
              + description
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  @Override
  public synchronized List<FlagChangeRecord> flagChanges(String key) {
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
  public synchronized Map<String, Long> lastFlagChanges() {
    Map<String, Long> out = new TreeMap<>();
    query(
        "read when flags last changed",
        "SELECT flag_key, MAX(version) FROM flag_changes GROUP BY flag_key",
        ps -> {},
        rs -> out.put(rs.getString(1), rs.getLong(2)));
    return out;
  }

  @Override
  public synchronized void recordFlagEvaluations(Map<String, Instant> lastEvaluated) {
    if (lastEvaluated.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO flag_evaluations (flag_key, last_at) VALUES (?, ?)"
                + " ON CONFLICT (flag_key) DO UPDATE SET last_at = excluded.last_at"
                + " WHERE excluded.last_at > flag_evaluations.last_at")) {
      for (Map.Entry<String, Instant> e : lastEvaluated.entrySet()) {
        ps.setString(1, e.getKey());
        ps.setLong(2, e.getValue().toEpochMilli());
        ps.addBatch();
      }
      ps.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot record flag evaluations in the " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Map<String, Instant> flagEvaluations() {
    Map<String, Instant> out = new TreeMap<>();
    query(
        "read flag evaluations",
        "SELECT flag_key, last_at FROM flag_evaluations",
        ps -> {},
        rs -> out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
    return out;
  }

  @Override
  public synchronized void check() {
    query("check the store", "SELECT 1", ps -> {}, rs -> rs.getInt(1));
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close the " + description, e);
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String what, String sql, Binder binder, Row<T> row) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
      connection.commit();
      return out;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot " + what + " in the " + description + ": " + e.getMessage(), e);
    }
  }

  private void update(String what, String sql, Binder binder) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      ps.executeUpdate();
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new StoreException(
          "cannot " + what + " in the " + description + ": " + e.getMessage(), e);
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the next call reports it
    }
  }
}
