package dev.sluice.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.spec.NotificationSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts release milestones to the webhooks of an app's {@code notifications}: started, step
 * reached, a failed analysis measurement, promoted, failed, rolled back, aborted. Each delivery
 * runs on its own virtual thread and is retried with backoff (1 s, 2 s, 4 s, 8 s), so a slow or
 * failing receiver never holds up a release; at most {@link #MAX_PENDING} deliveries wait at once,
 * more are dropped with a warning. Webhook URLs may carry keys, so they are never logged.
 */
public final class Notifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  static final int MAX_PENDING = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Function<String, List<NotificationSpec>> specs;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore pending = new Semaphore(MAX_PENDING);
  private final Duration firstRetry;

  /**
   * @param specs an app's notification settings, by app name
   * @param firstRetry the delay before the first retry; it doubles for each next one
   */
  public Notifier(Function<String, List<NotificationSpec>> specs, Duration firstRetry) {
    this.specs = specs;
    this.firstRetry = firstRetry;
  }

  /** The milestone an event is, or null for events nobody is told about. */
  static @Nullable String milestone(Event e) {
    return switch (e) {
      case Event.ReleaseStarted s -> "started";
      case Event.StepReached s -> "step";
      case Event.AnalysisMeasured s ->
          s.result().verdict() == dev.sluice.core.analysis.AnalysisResult.Verdict.FAIL
              ? "analysisFailed"
              : null;
      case Event.ReleaseSucceeded s -> "promoted";
      case Event.ReleaseFailed s -> "failed";
      case Event.RolledBack s -> "rolledBack";
      case Event.ReleaseAborted s -> "aborted";
      default -> null;
    };
  }

  /** Sends {@code record} to every webhook of its app that wants it; returns at once. */
  public void accept(EventRecord record) {
    String milestone = milestone(record.event());
    if (milestone == null) {
      return;
    }
    List<NotificationSpec> list = specs.apply(record.app());
    for (int i = 0; i < list.size(); i++) {
      NotificationSpec n = list.get(i);
      if (!n.wants(milestone)) {
        continue;
      }
      if (!pending.tryAcquire()) {
        log.warn(
            "{}: too many notifications waiting; dropped {} #{}",
            record.app(),
            milestone,
            record.seq());
        continue;
      }
      String body = body(n.format(), milestone, record);
      int index = i;
      executor.execute(
          () -> {
            try {
              deliver(record.app(), index, n.webhook(), body);
            } finally {
              pending.release();
            }
          });
    }
  }

  static String body(String format, String milestone, EventRecord r) {
    ObjectNode o = JSON.createObjectNode();
    if (format.equals("slack")) {
      o.put("text", "*" + r.app() + "*: " + r.event().describe());
      return o.toString();
    }
    o.put("app", r.app());
    o.put("event", milestone);
    o.put("type", r.event().type());
    o.put("seq", r.seq());
    o.put("at", r.at().toString());
    o.put("description", r.event().describe());
    ObjectNode data = JSON.valueToTree(r.event());
    data.remove("spec");
    o.set("data", data);
    return o.toString();
  }

  private void deliver(String app, int index, String url, String body) {
    Duration delay = firstRetry;
    for (int attempt = 1; attempt <= 5; attempt++) {
      String problem;
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "sluice-notify")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2) {
          return;
        }
        problem = "answered " + r.statusCode();
      } catch (IOException e) {
        problem = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      log.warn(
          "{}: notification webhook #{} failed ({}), attempt {} of 5",
          app,
          index + 1,
          problem,
          attempt);
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      delay = delay.multipliedBy(2);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
