package dev.sluice.runtime.process;

/**
 * Receives the supervisor's {@link ReplicaEvent}s, in the order they happened.
 *
 * <p>It is called on the supervisor's single event thread, so it must return quickly and never wait
 * for the supervisor (for example on the future of {@link ProcessSupervisor#stop}). It may call the
 * supervisor's other methods. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface ReplicaListener {

  /** Called once per event. */
  void onEvent(ReplicaEvent event);

  /** Returns a listener that ignores every event. */
  static ReplicaListener ignoring() {
    return event -> {};
  }
}
