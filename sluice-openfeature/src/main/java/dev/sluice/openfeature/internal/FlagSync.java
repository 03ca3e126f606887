package dev.sluice.openfeature.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagSetHolder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a {@link FlagSetHolder} equal to the server's flag set: downloads it ({@code GET
 * /api/v1/flagset/sync}), then follows the change stream ({@code GET /api/v1/flagset/changes}) and
 * downloads again whenever an event names a newer version. When the stream breaks, the last set
 * stays in the holder and it reconnects with exponential backoff (with jitter, so that many clients
 * of a restarted server do not come back in step), downloading again on every reconnect because
 * events may have been missed.
 *
 * <p>A stream that says nothing for {@code silence} (the server sends a comment every 15 s) counts
 * as broken, which catches connections that died without a FIN. All network work runs on one daemon
 * thread; {@link Listener} calls come from it.
 */
public final class FlagSync implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Object END = new Object();

  /** What the sync reports. */
  public interface Listener {
    /** The first set arrived, or the server is back after an outage. */
    void connected(boolean first);

    /** A newer set replaced the current one. */
    void changed(Set<String> changedKeys);

    /** The server cannot be reached (or refused us); the last set is still served. */
    void disconnected(String why, boolean everConnected);
  }

  /** How to reach the server and how patiently. */
  public record Settings(
      URI base,
      @Nullable String token,
      Duration minBackoff,
      Duration maxBackoff,
      Duration silence,
      Duration requestTimeout) {}

  private final Settings settings;
  private final FlagSetHolder holder;
  private final Listener listener;
  private final HttpClient http;
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Flow.@Nullable Subscription> stream = new AtomicReference<>();
  private volatile boolean closed;
  private volatile long version = -1;
  private volatile @Nullable String etag;
  private volatile @Nullable String environment;
  private boolean connected;
  private boolean everConnected;
  private boolean reportedUnreachable;

  public FlagSync(Settings settings, FlagSetHolder holder, Listener listener) {
    this.settings = settings;
    this.holder = holder;
    this.listener = listener;
    this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).build();
    this.thread = new Thread(this::run, "sluice-openfeature-sync");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The environment the server evaluates this token in (null: the context decides). */
  public @Nullable String environment() {
    return environment;
  }

  /** The version of the set in the holder; -1 before the first download. */
  public long version() {
    return version;
  }

  HttpClient http() {
    return http;
  }

  /** Sends the keys of flags evaluated here, so the server's staleness check counts them. */
  public void reportEvaluated(Set<String> keys) throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder("{\"keys\": [");
    boolean first = true;
    for (String k : keys) {
      body.append(first ? "" : ",").append(MAPPER.writeValueAsString(k));
      first = false;
    }
    body.append("]}");
    HttpResponse<String> r =
        http.send(
            request("/api/v1/flagset/evaluated")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IOException("the server answered " + r.statusCode() + ": " + r.body());
    }
  }

  private void run() {
    long backoff = settings.minBackoff().toMillis();
    while (!closed) {
      try {
        download();
        if (!connected) {
          connected = true;
          boolean first = !everConnected;
          everConnected = true;
          listener.connected(first);
        }
        if (follow()) {
          backoff = settings.minBackoff().toMillis();
        }
        if (!closed) {
          lost("the change stream ended (the server stopped?)");
        }
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          lost(message(e));
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
        Thread.interrupted();
      }
      if (closed) {
        return;
      }
      long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
      try {
        if (stopped.await(jittered, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
    }
  }

  private static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }

  private void lost(String why) {
    // Reported once per outage: when a connection is lost, or when the very first attempt fails.
    if (connected || (!everConnected && !reportedUnreachable)) {
      connected = false;
      reportedUnreachable = true;
      listener.disconnected(
          "cannot reach Sluice at " + settings.base() + ": " + why, everConnected);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(settings.base().resolve(path)).timeout(settings.requestTimeout());
    if (settings.token() != null) {
      b.header("Authorization", "Bearer " + settings.token());
    }
    return b;
  }

  /** Downloads the set unless the server says it has not changed; reports a change. */
  private void download() throws IOException, InterruptedException {
    HttpRequest.Builder b = request("/api/v1/flagset/sync").GET();
    String known = etag;
    if (known != null) {
      b.header("If-None-Match", known);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 304) {
      return;
    }
    if (r.statusCode() != 200) {
      throw new IOException(refusal(r.statusCode(), r.body()));
    }
    JsonNode body = MAPPER.readTree(r.body());
    FlagSet next = FlagSet.of(body.path("flags"));
    JsonNode env = body.path("environment");
    environment = env.isTextual() ? env.textValue() : null;
    FlagSet previous = holder.set(next);
    boolean first = version < 0;
    version = body.path("version").asLong();
    etag = body.path("etag").isTextual() ? body.path("etag").textValue() : null;
    if (!first) {
      Set<String> changed = next.changedKeys(previous);
      if (!changed.isEmpty()) {
        listener.changed(changed);
      }
    }
  }

  private static String refusal(int status, String body) {
    String error = body;
    try {
      error = MAPPER.readTree(body).path("error").asText(body);
    } catch (IOException e) {
      // not JSON: show it as it is
    }
    return (status == 401 || status == 403 ? "the token was refused (" : "HTTP " + status + " (")
        + error
        + ")";
  }

  /**
   * Follows the change stream until it ends, downloading each newer version it announces; true when
   * the stream delivered anything (it was up, so the next reconnect may be quick).
   */
  private boolean follow() throws IOException, InterruptedException {
    LinkedBlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    AtomicReference<@Nullable String> failure = new AtomicReference<>();
    // No request timeout: the stream is meant to stay open. Silence is caught below instead.
    HttpRequest.Builder b =
        HttpRequest.newBuilder(settings.base().resolve("/api/v1/flagset/changes"))
            .header("Accept", "text/event-stream")
            .GET();
    if (settings.token() != null) {
      b.header("Authorization", "Bearer " + settings.token());
    }
    HttpRequest req = b.build();
    CompletableFuture<HttpResponse<Void>> response =
        http.sendAsync(
            req,
            info -> {
              if (info.statusCode() != 200) {
                failure.set("HTTP " + info.statusCode());
                lines.add(END);
                return HttpResponse.BodySubscribers.replacing(null);
              }
              return HttpResponse.BodySubscribers.fromLineSubscriber(new Lines(lines));
            });
    response.whenComplete(
        (r, e) -> {
          if (e != null) {
            failure.compareAndSet(null, message(e));
          }
          lines.add(END);
        });
    boolean delivered = false;
    try {
      StringBuilder data = new StringBuilder();
      while (!closed) {
        Object line = lines.poll(settings.silence().toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
          throw new IOException("the change stream was silent for " + settings.silence());
        }
        if (line == END) {
          String f = failure.get();
          if (f != null) {
            throw new IOException(
                f.startsWith("HTTP 401") || f.startsWith("HTTP 403")
                    ? "the token was refused (" + f + ")"
                    : f);
          }
          return delivered;
        }
        String text = (String) line;
        delivered = true;
        if (text.startsWith("data:")) {
          data.append(text.substring(5).trim());
        } else if (text.isEmpty() && !data.isEmpty()) {
          long announced = MAPPER.readTree(data.toString()).path("version").asLong(-1);
          data.setLength(0);
          if (announced > version) {
            download();
          }
        }
      }
      return delivered;
    } finally {
      Flow.Subscription s = stream.getAndSet(null);
      if (s != null) {
        s.cancel();
      }
      response.cancel(true);
    }
  }

  /** Hands the stream's lines to the sync thread and keeps its subscription for cancelling. */
  private final class Lines implements Flow.Subscriber<String> {
    private final LinkedBlockingQueue<Object> lines;

    Lines(LinkedBlockingQueue<Object> lines) {
      this.lines = lines;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      stream.set(subscription);
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String item) {
      lines.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
      lines.add(END);
    }

    @Override
    public void onComplete() {
      lines.add(END);
    }
  }

  /** Stops following the server. */
  @Override
  public void close() {
    closed = true;
    stopped.countDown();
    Flow.Subscription s = stream.getAndSet(null);
    if (s != null) {
      s.cancel();
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }
}
