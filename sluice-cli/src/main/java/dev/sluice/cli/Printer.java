package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Renders the API's JSON for people. */
final class Printer {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private Printer() {}

  static String weights(JsonNode weights) {
    List<String> parts = new ArrayList<>();
    weights
        .fields()
        .forEachRemaining(e -> parts.add(e.getKey() + " " + e.getValue().asInt() + "%"));
    return parts.isEmpty() ? "none" : String.join(" / ", parts);
  }

  static void app(JsonNode a, PrintStream out) {
    JsonNode stable = a.path("stable");
    out.printf(
        "%s  listen %s%s  stable %s  traffic %s%n",
        a.path("app").asText(),
        a.path("listen").asText(),
        a.path("preview").isNull() ? "" : "  preview " + a.path("preview").asText(),
        stable.isNull()
            ? "none"
            : stable.path("version").asText()
                + " (revision "
                + stable.path("revision").asInt()
                + ")",
        weights(a.path("weights")));
    JsonNode r = a.path("release");
    if (!r.isNull()) {
      out.printf(
          "  release %d: %s (%s, %s%s): %s%s%n",
          r.path("revision").asInt(),
          r.path("version").asText(),
          r.path("strategy").asText(),
          r.path("trigger").asText(),
          r.path("from").isNull() ? "" : " from " + r.path("from").asText(),
          r.path("done").asBoolean()
              ? r.path("status").asText()
              : r.path("status").asText()
                  + " ("
                  + r.path("phase").asText()
                  + (r.has("step")
                      ? ", step "
                          + r.path("step").asInt()
                          + "/"
                          + r.path("steps").asInt()
                          + ": "
                          + r.path("stepName").asText()
                      : "")
                  + ")",
          r.path("reason").isNull() ? "" : ": " + r.path("reason").asText());
      r.path("analysis")
          .fields()
          .forEachRemaining(
              e ->
                  out.printf(
                      "  analysis %s: %s, %d measurements (%d passed, %d failed, %d inconclusive,"
                          + " %d errors)%s%n",
                      e.getKey(),
                      e.getValue().path("status").asText(),
                      e.getValue().path("measurements").asInt(),
                      e.getValue().path("passed").asInt(),
                      e.getValue().path("failed").asInt(),
                      e.getValue().path("inconclusive").asInt(),
                      e.getValue().path("errors").asInt(),
                      e.getValue().path("last").isNull()
                          ? ""
                          : "\n    last: "
                              + e.getValue().path("last").path("description").asText()));
    }
    for (JsonNode v : a.path("versions")) {
      out.printf(
          "  %-10s revision %d  %d/%d healthy  weight %d%%%s%n",
          v.path("version").asText(),
          v.path("revision").asInt(),
          v.path("healthy").asInt(),
          v.path("replicas").asInt(),
          v.path("weight").asInt(),
          v.path("retireAt").isNull() ? "" : "  stops at " + time(v.path("retireAt").asText()));
      for (JsonNode i : v.path("instances")) {
        out.printf(
            "    %d  %-21s pid %-7d %-9s %s%s%n",
            i.path("index").asInt(),
            i.path("address").asText(),
            i.path("pid").asLong(),
            i.path("state").asText(),
            i.path("healthy").asBoolean() ? "healthy" : "unhealthy",
            i.path("restarts").asInt() > 0
                ? "  (" + i.path("restarts").asInt() + " restarts)"
                : "");
      }
    }
  }

  /** The release's analysis runs in a few words: {@code ; analysis background 4/4 passed}. */
  static String analysis(JsonNode release) {
    StringBuilder b = new StringBuilder();
    release
        .path("analysis")
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode run = e.getValue();
              b.append(b.isEmpty() ? "; analysis " : ", ")
                  .append(e.getKey())
                  .append(' ')
                  .append(run.path("passed").asInt())
                  .append('/')
                  .append(run.path("measurements").asInt())
                  .append(" passed");
              if (!run.path("status").asText().equals("RUNNING")) {
                b.append(' ').append(run.path("status").asText());
              }
            });
    return b.toString();
  }

  static String time(String iso) {
    return CLOCK.format(Instant.parse(iso));
  }

  static void event(JsonNode e, PrintStream out) {
    out.printf(
        "%s  #%-4d %-17s %s%n",
        e.path("at").asText(),
        e.path("seq").asLong(),
        e.path("type").asText(),
        e.path("description").asText());
  }
}
