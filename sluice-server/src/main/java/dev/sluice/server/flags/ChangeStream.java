package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.server.api.Json;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The flag set's change stream: server-sent events that announce each new version, for SDKs that
 * evaluate in process (they fetch the new set when told) and for OFREP clients that follow OFREP's
 * proposed SSE change notifications (ADR 0008: {@code refetchEvaluation} events).
 *
 * <pre>
 * id: 12
 * event: message
 * data: {"type":"refetchEvaluation","version":12,"etag":"\"3f2a...\"","lastModified":1771622898,
 *        "changedKeys":["new-checkout"]}
 * </pre>
 *
 * <p>The current version is sent at once on connect, so a client that reconnects learns whether it
 * missed something without a replay; then one event per new version, and a comment every {@code
 * keepAlive} so that clients and proxies can tell a quiet stream from a dead one. Only the newest
 * version matters to a client, so a reader that falls behind gets the newest version with the union
 * of the changed keys (or none, when updates were dropped), never a backlog.
 */
final class ChangeStream implements AutoCloseable {
  private static final Object END = new Object();

  private final FlagService flags;
  private final Duration keepAlive;
  private final Set<LinkedBlockingQueue<Object>> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ChangeStream(FlagService flags, Duration keepAlive) {
    this.flags = flags;
    this.keepAlive = keepAlive;
  }

  /** Serves one client until it goes away or the stream closes; blocks. */
  void serve(SseClient client, @Nullable String environment) {
    LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(1000);
    open.add(queue);
    AtomicBoolean dropped = new AtomicBoolean();
    AutoCloseable subscription =
        flags.subscribe(
            update -> {
              if (!queue.offer(update)) {
                dropped.set(true);
              }
            });
    try {
      if (closed) {
        return;
      }
      FlagSetVersion now = flags.current();
      send(client, now, null, environment);
      long sent = now.version();
      while (!client.terminated() && !closed) {
        Object first = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
          client.sendComment("keep-alive");
          continue;
        }
        List<Object> batch = new ArrayList<>(List.of(first));
        queue.drainTo(batch);
        if (batch.contains(END)) {
          return;
        }
        Set<String> changed = new TreeSet<>();
        FlagSetVersion newest = null;
        for (Object o : batch) {
          FlagSetUpdate u = (FlagSetUpdate) o;
          if (u.current().version() > sent) {
            changed.addAll(u.changedKeys());
            newest = u.current();
          }
        }
        if (newest != null) {
          boolean complete = !dropped.getAndSet(false);
          send(client, newest, complete ? changed : null, environment);
          sent = newest.version();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(queue);
      try {
        subscription.close();
      } catch (Exception e) {
        // removing a listener does not fail
      }
    }
  }

  private static void send(
      SseClient client,
      FlagSetVersion v,
      @Nullable Set<String> changedKeys,
      @Nullable String environment) {
    ObjectNode data =
        Json.MAPPER
            .createObjectNode()
            .put("type", "refetchEvaluation")
            .put("version", v.version())
            .put("etag", FlagViews.etag(v.flags(), environment))
            .put("lastModified", v.at().getEpochSecond());
    if (changedKeys != null) {
      ArrayNode keys = data.putArray("changedKeys");
      changedKeys.forEach(keys::add);
    }
    client.sendEvent("message", Json.write(data), Long.toString(v.version()));
  }

  /** Ends every open stream (before the API stops, so that it need not wait for them). */
  @Override
  public void close() {
    closed = true;
    open.forEach(q -> q.offer(END));
  }
}
