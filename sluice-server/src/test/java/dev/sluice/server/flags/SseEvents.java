package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** A test client of a server-sent event stream: events arrive in a queue, read on a thread. */
final class SseEvents implements AutoCloseable {
  record Event(@Nullable String id, @Nullable String name, String data) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(data);
    }
  }

  final int status;
  private final Stream<String> lines;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

  private SseEvents(HttpResponse<Stream<String>> response) {
    this.status = response.statusCode();
    this.lines = response.body();
    Thread reader =
        new Thread(
            () -> {
              String id = null;
              String name = null;
              StringBuilder data = new StringBuilder();
              try {
                Iterator<String> it = lines.iterator();
                while (it.hasNext()) {
                  String line = it.next();
                  if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                      events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data.setLength(0);
                  } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                  } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                  } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                  }
                }
              } catch (RuntimeException e) {
                // closed
              }
            },
            "sse-test-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseEvents open(String url, @Nullable String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return new SseEvents(RunningDaemon.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
  }

  /** The next event, waiting at most {@code timeout}; null when none came. */
  @Nullable Event next(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    lines.close();
  }
}
