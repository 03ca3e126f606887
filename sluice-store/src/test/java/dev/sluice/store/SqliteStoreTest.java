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
}
