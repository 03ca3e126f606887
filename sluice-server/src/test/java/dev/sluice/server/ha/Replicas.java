package dev.sluice.server.ha;

import dev.sluice.store.InstanceRecord;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The replica processes recorded in a shared store. Processes that share a store leave their
 * replicas running when they stop (for the next leader), so the tests stop them here at the end.
 */
final class Replicas {
  private Replicas() {}

  /** Pids by {@code app/version/index}. */
  static Map<String, Long> recorded(String storeUrl) {
    Map<String, Long> out = new HashMap<>();
    try (Store s = Store.open(storeUrl, Path.of("."))) {
      for (InstanceRecord i : s.instances()) {
        out.put(i.app() + "/" + i.version() + "/" + i.index(), i.pid());
      }
    }
    return out;
  }

  static void killAll(String storeUrl) {
    try {
      for (long pid : recorded(storeUrl).values()) {
        ProcessHandle.of(pid)
            .ifPresent(
                p -> {
                  p.descendants().forEach(ProcessHandle::destroyForcibly);
                  p.destroyForcibly();
                });
      }
    } catch (RuntimeException e) {
      // the database is gone already: nothing recorded to stop
    }
  }
}
