package dev.sluice.server.control;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.Revision;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.runtime.platform.SpecResolver;
import dev.sluice.store.ReleaseRecord;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the spec a running version was started with (its release's snapshot) and turns it into what
 * the runtime and the router need.
 */
final class Templates implements SpecResolver {
  private final Store store;
  private final Path baseDir;
  private final Map<String, AppSpec> cache = new java.util.concurrent.ConcurrentHashMap<>();

  Templates(Store store, Path baseDir) {
    this.store = store;
    this.baseDir = baseDir;
  }

  @Override
  public AppSpec specOf(AppState state, int revision) {
    Release r = state.release();
    if (r != null && r.revision() == revision) {
      return r.spec();
    }
    String key = state.app() + "#" + revision;
    AppSpec cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    String snapshot = null;
    for (Revision rev : state.history()) {
      if (rev.number() == revision) {
        snapshot = rev.spec();
        break;
      }
    }
    if (snapshot == null) {
      for (ReleaseRecord rec : store.releases(state.app())) {
        if (rec.revision() == revision) {
          snapshot = rec.spec();
          break;
        }
      }
    }
    if (snapshot == null) {
      throw new IllegalStateException(
          "no release " + revision + " of " + state.app() + " is stored");
    }
    try {
      AppSpec spec = SpecParser.parseSnapshot(snapshot);
      cache.put(key, spec);
      return spec;
    } catch (SpecException e) {
      throw new IllegalStateException(
          "release " + revision + " of " + state.app() + ": " + e.getMessage(), e);
    }
  }

  Path baseDir() {
    return baseDir;
  }
}
