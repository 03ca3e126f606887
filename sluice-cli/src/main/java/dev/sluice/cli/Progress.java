package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows a release until it ends, printing each decision and the release's progress (phase,
 * weights, replica health) when it changes.
 */
final class Progress {
  private static final Duration POLL = Duration.ofMillis(250);

  private Progress() {}

  /** Returns 0 when the release succeeded, {@link Main#RELEASE_FAILED} otherwise. */
  static int follow(
      ApiClient client, String app, int revision, long since, Duration limit, PrintStream out)
      throws ApiException {
    long deadline = System.nanoTime() + limit.toNanos();
    long seen = since;
    String lastLine = null;
    while (true) {
      for (JsonNode e :
          client.get("/api/v1/apps/" + app + "/history?after=" + seen).path("events")) {
        out.printf("%s  %s%n", Printer.time(e.path("at").asText()), e.path("description").asText());
        seen = e.path("seq").asLong();
      }
      JsonNode a = client.get("/api/v1/apps/" + app);
      JsonNode r = a.path("release");
      if (r.path("revision").asInt() != revision) {
        out.println(
            "release " + revision + " was replaced by release " + r.path("revision").asInt());
        return Main.RELEASE_FAILED;
      }
      if (r.path("done").asBoolean() && a.path("lastEvent").asLong() <= seen) {
        String status = r.path("status").asText();
        if (status.equals("Succeeded")) {
          out.println(
              "release "
                  + revision
                  + " succeeded: "
                  + r.path("version").asText()
                  + " is stable, traffic "
                  + Printer.weights(a.path("weights")));
          return 0;
        }
        out.println(
            "release "
                + revision
                + " "
                + status
                + (r.path("reason").isNull() ? "" : ": " + r.path("reason").asText()));
        return Main.RELEASE_FAILED;
      }
      String line = progressLine(a);
      if (!Objects.equals(line, lastLine)) {
        out.println("          " + line);
        lastLine = line;
      }
      if (System.nanoTime() > deadline) {
        out.println("gave up waiting; the release goes on: 'sluice status " + app + "'");
        return Main.RELEASE_FAILED;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Main.RELEASE_FAILED;
      }
    }
  }

  static String progressLine(JsonNode a) {
    JsonNode r = a.path("release");
    List<String> versions = new ArrayList<>();
    for (JsonNode v : a.path("versions")) {
      versions.add(
          v.path("version").asText()
              + " "
              + v.path("healthy").asInt()
              + "/"
              + v.path("replicas").asInt()
              + " healthy"
              + (v.path("detail").asText().isEmpty()
                  ? ""
                  : " (" + v.path("detail").asText() + ")"));
    }
    String step =
        r.has("step")
            ? " step "
                + r.path("step").asInt()
                + "/"
                + r.path("steps").asInt()
                + " ("
                + r.path("stepName").asText()
                + ")"
            : "";
    return r.path("status").asText()
        + " "
        + r.path("phase").asText()
        + step
        + ": traffic "
        + Printer.weights(a.path("weights"))
        + "; "
        + String.join(", ", versions)
        + Printer.analysis(r);
  }
}
