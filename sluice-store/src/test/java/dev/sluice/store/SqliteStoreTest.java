package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
  @TempDir Path dir;
  private Store open;

  @Override
  Store store() {
    open = Store.sqlite(dir.resolve("state").resolve("sluice.db"));
    return open;
  }

  @Override
  Store reopen() {
    return store();
  }

  @AfterEach
  void close() {
    if (open != null) {
      open.close();
    }
  }

  @Test
  void theFileIsCreatedWithItsSchemaOnFirstOpen() {
    store();
    assertThat(Files.exists(dir.resolve("state").resolve("sluice.db"))).isTrue();
  }

  @Test
  void anUnwritableLocationIsReportedClearly() throws Exception {
    Path file = dir.resolve("file");
    Files.writeString(file, "not a directory");
    assertThatThrownBy(() -> Store.sqlite(file.resolve("sluice.db")))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("cannot open the SQLite store " + file.resolve("sluice.db"));
  }

  @Test
  void aDatabaseWrittenBeforeLeasesExistedMigratesAndKeepsItsData() throws Exception {
    Path file = dir.resolve("old.db");
    // the schema as the previous release left it: migrations V1..V4 only
    org.flywaydb.core.Flyway.configure()
        .dataSource("jdbc:sqlite:" + file, null, null)
        .locations("classpath:db/migration")
        .target("4")
        .load()
        .migrate();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
        java.sql.Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO tokens (name, role, hash, created_at, environment)"
              + " VALUES ('ci', 'operator', '"
              + "a".repeat(64)
              + "', '"
              + T0
              + "', NULL)");
    }
    try (Store s = Store.sqlite(file)) {
      assertThat(s.tokens()).extracting(TokenRecord::name).containsExactly("ci");
      assertThat(s.acquireLease("leader", "a", null, LONG).epoch()).isEqualTo(1);
    }
  }

  @Test
  void aPathOrAnSqliteUrlOpensAFileRelativeToTheBaseDirectory() {
    try (Store a = Store.open("state/a.db", dir);
        Store b = Store.open("sqlite:state/b.db", dir)) {
      assertThat(a.description()).isEqualTo("SQLite store a.db");
      assertThat(a.isShared()).isFalse();
      assertThat(b.description()).isEqualTo("SQLite store b.db");
    }
    assertThat(Files.exists(dir.resolve("state/a.db"))).isTrue();
    assertThat(Files.exists(dir.resolve("state/b.db"))).isTrue();
  }

  @Test
  void anSqliteStoreNeverNotifiesButSaysSoQuietly() throws Exception {
    Store s = store();
    try (AutoCloseable sub = s.onChange(app -> {})) {
      assertThat(sub).isNotNull();
    }
  }
}
