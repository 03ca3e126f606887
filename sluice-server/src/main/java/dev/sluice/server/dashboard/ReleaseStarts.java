package dev.sluice.server.dashboard;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.store.Store;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each app's releases begin in its event log, so the release page reads a release's own
 * events and not the whole log. The store reads forwards only, so the start is found by reading
 * back in chunks from the newest event, once per release, and remembered.
 */
final class ReleaseStarts {
  private static final int CHUNK = 1000;
  private static final int MAX_CHUNKS = 100;

  private record Key(String app, int revision) {}

  private final Store store;
  private final Map<Key, Long> starts = new ConcurrentHashMap<>();

  ReleaseStarts(Store store) {
    this.store = store;
  }

  /**
   * The sequence number of the event that started release {@code revision} of {@code app}; 1 when
   * it is further back than the search goes (then the page shows what it read).
   */
  long startOf(String app, int revision, long lastSeq) {
    Key key = new Key(app, revision);
    Long known = starts.get(key);
    if (known != null) {
      return known;
    }
    long found = 1;
    long hi = lastSeq;
    for (int n = 0; n < MAX_CHUNKS && hi > 0; n++) {
      long from = Math.max(0, hi - CHUNK);
      List<EventRecord> chunk = store.events(app, from, (int) (hi - from));
      for (int i = chunk.size() - 1; i >= 0; i--) {
        if (chunk.get(i).event() instanceof Event.ReleaseStarted s && s.revision() == revision) {
          starts.put(key, chunk.get(i).seq());
          return chunk.get(i).seq();
        }
      }
      hi = from;
    }
    starts.put(key, found);
    return found;
  }
}
