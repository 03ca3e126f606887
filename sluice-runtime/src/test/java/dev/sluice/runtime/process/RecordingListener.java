package dev.sluice.runtime.process;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event the supervisor reports, for tests to inspect. */
final class RecordingListener implements ReplicaListener {
  private final List<ReplicaEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(ReplicaEvent event) {
    events.add(event);
  }

  List<ReplicaEvent> all() {
    return List.copyOf(events);
  }

  <T extends ReplicaEvent> List<T> of(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends ReplicaEvent> List<T> of(Class<T> type, int index) {
    return of(type).stream().filter(e -> e.replica().index() == index).toList();
  }
}
