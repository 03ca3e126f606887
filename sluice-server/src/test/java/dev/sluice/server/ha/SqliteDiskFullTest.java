package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 with the default SQLite store: the disk is full in the middle of a canary. The state
 * directory is a small tmpfs mounted for the test (this needs root, which this project's machines
 * and CI have; elsewhere the test is skipped), and a thread keeps it full: SQLite in WAL mode frees
 * space when its last connection closes (it removes the WAL file) and reuses WAL pages it already
 * has, so a disk filled once does not stay full for it. Decisions stop, the router keeps its table,
 * {@code /healthz} says why; once there is room again the release completes.
 *
 * <p>A read-only remount was tried too and cannot be done here: the file system is busy (the
 * database and the replicas' logs are open for writing).
 */
class SqliteDiskFullTest {
  @TempDir Path dir;

  @Test
  void aFullDiskStopsDecisionsButNotTrafficAndTheReleaseCompletesOnceThereIsRoom()
      throws Exception {
    Path state = dir.resolve("state");
    Files.createDirectories(state);
    Assumptions.assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", state.toString()),
        "cannot mount a tmpfs here (not root?)");
    try {
      try (SharedDaemon d = SharedDaemon.startAlone(dir, state)) {
        assertThat(d.deploy("v1").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> StoreFailureTest.done(d.app()));
        try (Load load = Load.start(d.listener())) {
          assertThat(d.deploy("v2").status()).isEqualTo(202);
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> d.app().path("weights").path("v2").asInt() == 30);
          long seq = d.app().path("lastEvent").asLong();

          DiskFiller filler = DiskFiller.start(state.resolve("filler"));
          try {
            await()
                .atMost(Duration.ofSeconds(15))
                .untilAsserted(
                    () -> {
                      SharedDaemon.Answer h = d.healthz();
                      assertThat(h.status()).isEqualTo(503);
                      assertThat(h.body().path("store").asText())
                          .contains("SQLite store sluice.db");
                    });
            await()
                .during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(
                    () -> {
                      JsonNode app = d.app();
                      return app.path("weights").path("v2").asInt() == 30
                          && app.path("lastEvent").asLong() == seq;
                    });
          } finally {
            filler.close();
          }
          await().atMost(Duration.ofSeconds(40)).until(() -> StoreFailureTest.done(d.app()));
          assertThat(d.app().path("release").path("status").asText()).isEqualTo("Succeeded");
          await().atMost(Duration.ofSeconds(10)).until(() -> d.healthz().status() == 200);
          load.close();
          assertThat(load.failures()).isEmpty();
        }
      }
    } finally {
      run("umount", "-l", state.toString());
    }
  }

  /** Keeps a file system full: whatever another writer frees, it takes again. */
  private static final class DiskFiller implements AutoCloseable {
    private final Path file;
    private final Thread thread;
    private volatile boolean stop;
    private volatile boolean full;

    private DiskFiller(Path file) {
      this.file = file;
      this.thread = Thread.ofPlatform().daemon().name("disk-filler").unstarted(this::fill);
    }

    static DiskFiller start(Path file) {
      DiskFiller f = new DiskFiller(file);
      f.thread.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> f.full);
      return f;
    }

    private void fill() {
      byte[] block = new byte[4096];
      try (java.io.FileOutputStream out = new java.io.FileOutputStream(file.toFile())) {
        while (!stop) {
          try {
            out.write(block);
          } catch (IOException e) {
            full = true;
            // full: wait for space to appear (a polling loop of the load, not synchronization)
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws Exception {
      stop = true;
      thread.join(5_000);
      Files.delete(file);
    }
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
