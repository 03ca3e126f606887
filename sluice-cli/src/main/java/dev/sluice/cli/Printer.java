package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.analysis.MetricUnit;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
      results(r, "  ", out);
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

  /**
   * An experiment's or a shadow's results, if {@code r} (a release, or a history result) has them:
   *
   * <pre>
   * experiment (baseline v1, each measurement over the last 4s): winner v1, chosen by the judge
   *   v1 baseline 50%: 812 requests
   *   v5 50%: 790 requests, 3 measurements (SUCCESSFUL): worse
   *     p50 52ms vs 11ms: +41ms (+373%), p=1e-9 at 98%, shift +39ms..+41ms: worse
   * shadow v4 (100% of requests copied): diff rate 100% over 250 compared pairs in 30s (metric
   *     diffs, 1 measurement, FAILED)
   * </pre>
   */
  static void results(JsonNode r, String indent, PrintStream out) {
    JsonNode e = r.path("experiment");
    if (e.isObject()) {
      String outcome;
      if (!e.path("winner").isNull()) {
        outcome =
            "winner "
                + e.path("winner").asText()
                + ", chosen by "
                + (e.path("chosenBy").asText().equals("person") ? "a person" : "the judge");
      } else if (!e.path("better").isNull()) {
        outcome = e.path("better").asText() + " is better by the last measurements";
      } else {
        outcome = "no arm is significantly better";
      }
      out.printf(
          "%sexperiment (baseline %s, each measurement over the last %s): %s%n",
          indent, e.path("baseline").asText(), e.path("window").asText(), outcome);
      for (JsonNode a : e.path("arms")) {
        StringBuilder b = new StringBuilder(indent).append("  ").append(a.path("version").asText());
        b.append(a.path("baseline").asBoolean() ? " baseline " : " ")
            .append(a.path("weight").asInt())
            .append("%: ");
        b.append(
            a.path("requests").isNull()
                ? "not measured yet"
                : a.path("requests").asLong() + " requests");
        if (!a.path("baseline").asBoolean()) {
          int n = a.path("measurements").asInt();
          b.append(", ")
              .append(n)
              .append(n == 1 ? " measurement" : " measurements")
              .append(a.path("run").isNull() ? "" : " (" + a.path("run").asText() + ")")
              .append(": ")
              .append(a.path("verdict").asText());
        }
        if (a.path("winner").asBoolean()) {
          b.append(" (winner)");
        }
        out.println(b);
        for (JsonNode m : a.path("metrics")) {
          out.printf("%s    %s%n", indent, m.path("description").asText());
        }
      }
    }
    JsonNode sh = r.path("shadow");
    if (sh.isObject()) {
      String rate;
      if (sh.path("metric").isNull()) {
        rate = "no diff_rate metric in its analysis";
      } else if (sh.path("diffRate").isNull()) {
        rate = "diff rate not measured yet";
      } else {
        rate =
            "diff rate "
                + percent(sh.path("diffRate").asDouble())
                + (sh.path("compared").isNull()
                    ? ""
                    : " over " + sh.path("compared").asLong() + " compared pairs")
                + " in "
                + sh.path("window").asText();
      }
      int n = sh.path("measurements").asInt();
      out.printf(
          "%sshadow %s (%d%% of requests copied): %s%s%n",
          indent,
          sh.path("version").asText(),
          sh.path("percent").asInt(),
          rate,
          sh.path("run").isNull()
              ? ""
              : " (metric "
                  + sh.path("metric").asText()
                  + ", "
                  + n
                  + (n == 1 ? " measurement, " : " measurements, ")
                  + sh.path("run").asText()
                  + ")");
      for (JsonNode d : sh.path("samples")) {
        out.printf(
            "%s  differs: %s %s  %s %d vs %s %d  in: %s%n",
            indent,
            d.path("method").asText(),
            d.path("target").asText(),
            d.path("primaryVersion").asText(),
            d.path("primary").path("status").asInt(),
            d.path("shadowVersion").asText(),
            d.path("shadow").path("status").asInt(),
            join(d.path("differences")));
      }
    }
  }

  private static String percent(double share) {
    return MetricUnit.RATIO.format(share);
  }

  private static String join(JsonNode strings) {
    List<String> parts = new ArrayList<>();
    strings.forEach(s -> parts.add(s.asText()));
    return String.join(", ", parts);
  }

  /**
   * An app's history: every event, and after the event that ended an experiment or a shadow, its
   * final results; a running one's results come last.
   */
  static void history(JsonNode json, PrintStream out) {
    Map<Long, List<JsonNode>> byEnd = new HashMap<>();
    List<JsonNode> running = new ArrayList<>();
    for (JsonNode r : json.path("results")) {
      long end = r.path("endSeq").asLong();
      if (end == 0) {
        running.add(r);
      } else {
        byEnd.computeIfAbsent(end, k -> new ArrayList<>()).add(r);
      }
    }
    for (JsonNode e : json.path("events")) {
      event(e, out);
      for (JsonNode r : byEnd.getOrDefault(e.path("seq").asLong(), List.of())) {
        out.printf(
            "      release %d of %s (%s), %s:%n",
            r.path("revision").asInt(),
            r.path("version").asText(),
            r.path("strategy").asText(),
            r.path("status").asText());
        results(r, "        ", out);
      }
    }
    for (JsonNode r : running) {
      out.printf(
          "release %d of %s (%s) so far (%s):%n",
          r.path("revision").asInt(),
          r.path("version").asText(),
          r.path("strategy").asText(),
          r.path("status").asText());
      results(r, "  ", out);
    }
  }
}
