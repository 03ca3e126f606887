package dev.sluice.server.dashboard;

import dev.sluice.core.event.EventRecord;
import dev.sluice.server.api.Authorizer;
import dev.sluice.server.api.Json;
import dev.sluice.server.control.Controller;
import dev.sluice.server.dashboard.SeriesSampler.Row;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The pages' server-sent events, authenticated by the session cookie (which {@code EventSource}
 * sends by itself).
 *
 * <ul>
 *   <li>{@code /ui/api/stream}: {@code apps}, the overview, every second.
 *   <li>{@code /ui/api/apps/{app}/stream?after=S&afterSeq=N}: {@code points} (the series' rows
 *       after second S, then every new one), {@code event} (each decision after sequence number N,
 *       as it is made) and {@code status} (the app's status, when it changed).
 * </ul>
 *
 * <p>A stream checks its token every second and ends with a {@code logout} event once it is
 * revoked. Streams end when the dashboard closes, before the API stops.
 */
final class LiveStreams implements AutoCloseable {
  private static final String SESSION = "sluice.dashboard.session";
  private static final Object TICK = new Object();
  private static final Object END = new Object();

  private final Controller controller;
  private final SeriesSampler series;
  private final Sessions sessions;
  private final ReleaseRoutes releases;
  private final Authorizer auth;
  private final Duration keepAlive;
  private final Set<BlockingQueue<Object>> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  LiveStreams(
      Controller controller,
      SeriesSampler series,
      Sessions sessions,
      ReleaseRoutes releases,
      Authorizer auth,
      Duration keepAlive) {
    this.controller = controller;
    this.series = series;
    this.sessions = sessions;
    this.releases = releases;
    this.auth = auth;
    this.keepAlive = keepAlive;
  }

  void routes(JavalinConfig config) {
    // The session is checked before the SSE handler commits a 200, so a stranger gets a real 401.
    config.routes.before("/ui/api/stream", ctx -> ctx.attribute(SESSION, sessions.read(ctx)));
    config.routes.before(
        "/ui/api/apps/{app}/stream",
        ctx -> {
          ctx.attribute(SESSION, sessions.read(ctx));
          releases.view(ctx.pathParam("app"));
          param(ctx, "after", 0);
          param(ctx, "afterSeq", 0);
        });
    config.routes.sse("/ui/api/stream", this::overview);
    config.routes.sse("/ui/api/apps/{app}/stream", this::app);
  }

  private void overview(SseClient client) {
    Context ctx = client.ctx();
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>(100);
    Runnable unsubscribe = series.subscribe(() -> queue.offer(TICK));
    open.add(queue);
    try {
      client.sendEvent("apps", Json.write(releases.overview(sessions.read(ctx))));
      while (!client.terminated() && !closed) {
        Object item = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
          client.sendComment("keep-alive");
        } else if (item == END) {
          break;
        } else if (!sessions.stillValid(ctx)) {
          client.sendEvent("logout", "the session's token is no longer valid");
          break;
        } else {
          client.sendEvent("apps", Json.write(releases.overview(sessions.read(ctx))));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      unsubscribe.run();
      open.remove(queue);
      client.close();
    }
  }

  private void app(SseClient client) {
    Context ctx = client.ctx();
    String app = ctx.pathParam("app");
    long second = param(ctx, "after", 0);
    long seq = param(ctx, "afterSeq", controller.store().lastSeq(app));
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>(10_000);
    Runnable unsubscribeSeries = series.subscribe(() -> queue.offer(TICK));
    Runnable unsubscribeEvents =
        controller.subscribe(
            r -> {
              if (r.app().equals(app) && !queue.offer(r)) {
                queue.clear();
                queue.offer(END); // too slow a reader: the page reconnects and reloads
              }
            });
    open.add(queue);
    try {
      for (EventRecord r : controller.store().events(app, seq, 1000)) {
        client.sendEvent("event", Json.write(AppViews.event(r)), Long.toString(r.seq()));
        seq = r.seq();
      }
      second = sendPoints(client, app, second);
      String status = Json.write(releases.status(releases.view(app)));
      client.sendEvent("status", status);
      while (!client.terminated() && !closed) {
        Object item = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
          client.sendComment("keep-alive");
          continue;
        }
        if (item == END) {
          break;
        }
        if (item instanceof EventRecord r) {
          if (r.seq() <= seq) {
            continue;
          }
          client.sendEvent("event", Json.write(AppViews.event(r)), Long.toString(r.seq()));
          seq = r.seq();
        } else {
          if (!sessions.stillValid(ctx)) {
            client.sendEvent("logout", "the session's token is no longer valid");
            break;
          }
          second = sendPoints(client, app, second);
        }
        String now = Json.write(releases.status(releases.view(app)));
        if (!now.equals(status)) {
          client.sendEvent("status", now);
          status = now;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      unsubscribeSeries.run();
      unsubscribeEvents.run();
      open.remove(queue);
      client.close();
    }
  }

  private long sendPoints(SseClient client, String app, long after) {
    List<Row> rows = series.rowsAfter(app, after);
    if (rows.isEmpty()) {
      return after;
    }
    client.sendEvent("points", Json.write(AppViews.series(rows)));
    return rows.get(rows.size() - 1).second();
  }

  private long param(Context ctx, String name, long def) {
    String s = ctx.queryParam(name);
    if (s == null || s.isEmpty()) {
      return def;
    }
    try {
      return Math.max(0, Long.parseLong(s));
    } catch (NumberFormatException e) {
      throw auth.fail(400, name + ": \"" + s + "\" (expected: a whole number)");
    }
  }

  /** Ends every open stream. */
  @Override
  public void close() {
    closed = true;
    for (BlockingQueue<Object> q : open) {
      q.clear();
      q.offer(END);
    }
  }
}
