package dev.sluice.core.spec;

import java.util.List;
import java.util.Set;

/**
 * A webhook told about a release's milestones. Delivery is retried with backoff and never holds the
 * release up.
 *
 * @param webhook the URL to POST to (it may hold a key: Sluice never prints it)
 * @param events which milestones: {@link #EVENTS}; all of them when the spec lists none
 * @param format {@code json} (Sluice's own shape) or {@code slack} (an incoming-webhook message)
 */
public record NotificationSpec(String webhook, List<String> events, String format) {

  /** The milestones a notification can be about. */
  public static final Set<String> EVENTS =
      Set.of("started", "step", "analysisFailed", "promoted", "failed", "rolledBack", "aborted");

  public NotificationSpec {
    events = List.copyOf(events);
  }

  /** Whether this webhook wants to hear about {@code event}. */
  public boolean wants(String event) {
    return events.isEmpty() || events.contains(event);
  }
}
