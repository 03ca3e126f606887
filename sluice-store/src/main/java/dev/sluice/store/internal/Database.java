package dev.sluice.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * Where the store's transactions run: one SQLite connection, or a pool of PostgreSQL connections.
 * Each {@link #transaction} commits when its body returns and rolls back when it throws, so no
 * caller can leave the store half-written.
 */
abstract sealed class Database implements AutoCloseable {

  /** A transaction's work. */
  interface Body<T> {
    T run(Connection c) throws SQLException;
  }

  /** What the store is, for messages; never holds a password. */
  abstract String description();

  abstract <T> T transaction(Body<T> body) throws SQLException;

  /** The database's clock, in Unix milliseconds (leases expire by it). */
  abstract long nowMillis(Connection c) throws SQLException;

  /** Tells listeners of other processes that {@code app} changed, once the transaction commits. */
  void notifyChange(Connection c, String app) throws SQLException {}

  /** Whether {@code e} is a primary key or unique constraint that refused a row. */
  abstract boolean isUniqueViolation(SQLException e);

  /** Starts notifications of changes (see {@link dev.sluice.store.Store#onChange}). */
  AutoCloseable listen(Consumer<String> listener) {
    return () -> {};
  }

  @Override
  public abstract void close();

  /**
   * One connection, used by one thread at a time (SQLite allows one writer anyway). After a failed
   * transaction the connection is replaced: SQLite rolls a transaction back by itself on some
   * errors (a full disk, an I/O error) while the driver still believes it is open, and would then
   * run the next statements outside any transaction.
   */
  static final class Sqlite extends Database {
    private final String url;
    private final String description;
    private @Nullable Connection connection;
    private boolean closed;

    Sqlite(Path file) throws SQLException {
      this.url = "jdbc:sqlite:" + file.toAbsolutePath();
      Flyway.configure()
          .dataSource(url, null, null)
          .locations("classpath:db/migration")
          .loggers("slf4j")
          .load()
          .migrate();
      this.connection = open(url);
      this.description = "SQLite store " + file.getFileName();
    }

    private static Connection open(String url) throws SQLException {
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        // WAL lets readers proceed during a write; FULL makes each commit durable, because a
        // decision that is lost on power failure is a decision applied without a log entry.
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA foreign_keys=ON");
        s.execute("PRAGMA busy_timeout=5000");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      c.setAutoCommit(false);
      return c;
    }

    @Override
    String description() {
      return description;
    }

    @Override
    synchronized <T> T transaction(Body<T> body) throws SQLException {
      if (closed) {
        throw new SQLException("the store is closed");
      }
      if (connection == null) {
        connection = open(url);
      }
      Connection c = connection;
      try {
        T out = body.run(c);
        c.commit();
        return out;
      } catch (SQLException e) {
        rollbackQuietly(c);
        connection = null;
        try {
          c.close();
        } catch (SQLException ignored) {
          // replaced anyway
        }
        throw e;
      } catch (RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    }

    @Override
    long nowMillis(Connection c) throws SQLException {
      return single(c, "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)");
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      // SQLITE_CONSTRAINT (19) and its extended PRIMARYKEY (1555) and UNIQUE (2067) codes
      int code = e.getErrorCode();
      return code == 19 || code == 1555 || code == 2067;
    }

    @Override
    public synchronized void close() {
      closed = true;
      try {
        if (connection != null) {
          connection.close();
        }
      } catch (SQLException e) {
        throw new dev.sluice.store.StoreException("cannot close the " + description, e);
      }
    }
  }

  /**
   * A HikariCP pool over PostgreSQL. Timeouts are short on purpose: when the database goes away, a
   * caller (the controller's thread, an API request) learns it in seconds and the daemon reports
   * it, instead of hanging for the driver's defaults.
   */
  static final class Postgres extends Database {
    static final String CHANNEL = "sluice_changes";

    private final HikariDataSource pool;
    private final StoreLocation.Postgres location;
    private final String description;

    Postgres(StoreLocation.Postgres location) {
      this.location = location;
      this.description = "PostgreSQL store " + location.display();
      HikariConfig config = new HikariConfig();
      config.setPoolName("sluice-store");
      config.setJdbcUrl(location.jdbcUrl());
      if (location.user() != null) {
        config.setUsername(location.user());
      }
      if (location.password() != null) {
        config.setPassword(location.password());
      }
      config.setAutoCommit(false);
      config.setMaximumPoolSize(6);
      config.setMinimumIdle(1);
      config.setConnectionTimeout(3_000);
      config.setValidationTimeout(1_000);
      config.setKeepaliveTime(30_000);
      driverDefaults().forEach((k, v) -> config.addDataSourceProperty((String) k, v));
      location.params().forEach(config::addDataSourceProperty);
      this.pool = new HikariDataSource(config);
      try {
        Flyway.configure()
            .dataSource(pool)
            .locations("classpath:db/migration")
            .loggers("slf4j")
            .load()
            .migrate();
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
    }

    private static Properties driverDefaults() {
      Properties p = new Properties();
      p.setProperty("connectTimeout", "3");
      p.setProperty("socketTimeout", "10");
      p.setProperty("tcpKeepAlive", "true");
      p.setProperty("ApplicationName", "sluice");
      return p;
    }

    DataSource dataSource() {
      return pool;
    }

    @Override
    String description() {
      return description;
    }

    @Override
    <T> T transaction(Body<T> body) throws SQLException {
      try (Connection c = pool.getConnection()) {
        try {
          T out = body.run(c);
          c.commit();
          return out;
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(c);
          throw e;
        }
      }
    }

    @Override
    long nowMillis(Connection c) throws SQLException {
      // clock_timestamp(), not now(): now() is when the transaction began
      return single(c, "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)");
    }

    @Override
    void notifyChange(Connection c, String app) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        ps.setString(1, CHANNEL);
        ps.setString(2, app);
        ps.executeQuery().close();
      }
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      return "23505".equals(e.getSQLState());
    }

    @Override
    AutoCloseable listen(Consumer<String> listener) {
      Properties props = driverDefaults();
      location.params().forEach(props::setProperty);
      if (location.user() != null) {
        props.setProperty("user", location.user());
      }
      if (location.password() != null) {
        props.setProperty("password", location.password());
      }
      // the listening connection blocks in a poll, so it must not time out while idle
      props.setProperty("socketTimeout", "0");
      return ChangeListener.start(
          () -> DriverManager.getConnection(location.jdbcUrl(), props),
          CHANNEL,
          listener,
          description);
    }

    @Override
    public void close() {
      pool.close();
    }
  }

  static long single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the caller reports the first failure
    }
  }
}
