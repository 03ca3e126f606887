package dev.sluice.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.store.Store;
import dev.sluice.store.StoreException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreLocationTest {
  private static final Path BASE = Path.of("/srv/shop");

  @Test
  void aPostgresUrlGivesHostsDatabaseUserPasswordAndDriverParameters() {
    StoreLocation.Postgres p =
        (StoreLocation.Postgres)
            StoreLocation.parse(
                "postgres://sluice:s3cr%40t@db1.internal,db2.internal:5433/releases"
                    + "?sslmode=require&targetServerType=primary",
                BASE);
    assertThat(p.hosts()).isEqualTo("db1.internal:5432,db2.internal:5433");
    assertThat(p.database()).isEqualTo("releases");
    assertThat(p.user()).isEqualTo("sluice");
    assertThat(p.password()).isEqualTo("s3cr@t");
    assertThat(p.params()).isEqualTo(Map.of("sslmode", "require", "targetServerType", "primary"));
    assertThat(p.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://db1.internal:5432,db2.internal:5433/releases"
                + "?sslmode=require&targetServerType=primary");
    assertThat(p.display())
        .isEqualTo("postgres://sluice@db1.internal:5432,db2.internal:5433/releases");
  }

  @Test
  void postgresqlIsTheSameSchemeAndThePasswordMayComeAsAParameter() {
    StoreLocation.Postgres p =
        (StoreLocation.Postgres)
            StoreLocation.parse("postgresql://[::1]/sluice?user=me&password=pw", BASE);
    assertThat(p.hosts()).isEqualTo("[::1]:5432");
    assertThat(p.user()).isEqualTo("me");
    assertThat(p.password()).isEqualTo("pw");
    assertThat(p.params()).isEmpty();
    assertThat(p.jdbcUrl()).doesNotContain("pw");
  }

  @Test
  void withoutADatabaseTheUsersNameIsUsedAsLibpqDoes() {
    assertThat(((StoreLocation.Postgres) StoreLocation.parse("postgres://ops@db", BASE)).database())
        .isEqualTo("ops");
  }

  @Test
  void pathsAndSqliteUrlsAreFilesRelativeToTheBaseDirectory() {
    assertThat(StoreLocation.parse("state/sluice.db", BASE))
        .isEqualTo(new StoreLocation.Sqlite(Path.of("/srv/shop/state/sluice.db")));
    assertThat(StoreLocation.parse("sqlite:/var/lib/sluice.db", BASE))
        .isEqualTo(new StoreLocation.Sqlite(Path.of("/var/lib/sluice.db")));
    assertThat(StoreLocation.parse("sqlite:///var/lib/sluice.db", BASE))
        .isEqualTo(new StoreLocation.Sqlite(Path.of("/var/lib/sluice.db")));
  }

  @Test
  void anUnknownKindOfStoreIsRefusedWithoutShowingItsPassword() {
    assertThatThrownBy(() -> StoreLocation.parse("mysql://root:hunter2@db/x", BASE))
        .isInstanceOf(StoreException.class)
        .hasMessage(
            "--store: \"mysql://root:hunter2@db/x\": unknown kind of store \"mysql\" (expected:"
                + " postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite:PATH or a file path)");
    assertThatThrownBy(() -> StoreLocation.parse("postgres://u:hunter2@/x", BASE))
        .hasMessage(
            "--store: \"postgres://u:***@/x\" names no host (expected:"
                + " postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite:PATH or a file path)");
    assertThatThrownBy(() -> StoreLocation.parse("postgres://u:pw%zz@db/x", BASE))
        .hasMessage("--store: \"postgres://u:***@db/x\" has a bad %-escape (expected: %XX, hex)");
  }

  @Test
  void redactionHidesThePasswordWhereverItIs() {
    assertThat(Store.redact("postgres://sluice:p@ss:w/rd@db:5432/x?sslmode=require"))
        .isEqualTo("postgres://sluice:***@db:5432/x?sslmode=require");
    assertThat(Store.redact("postgresql://db/x?user=a&password=secret&sslmode=require"))
        .isEqualTo("postgresql://db/x?user=a&password=***&sslmode=require");
    assertThat(Store.redact("postgres://db/x")).isEqualTo("postgres://db/x");
    assertThat(Store.redact("state/sluice.db")).isEqualTo("state/sluice.db");
  }
}
