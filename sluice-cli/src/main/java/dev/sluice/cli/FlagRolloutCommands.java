package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice flags rollout}, {@code rollout-status} and {@code rollout-abort}: guarded rollouts
 * of a flag evaluated at the edge (see docs/edge-flags.md).
 */
final class FlagRolloutCommands {
  private FlagRolloutCommands() {}

  private static String path(String key) {
    return FlagsCommand.flagPath(key) + "/rollout";
  }

  /** Prints a rollout's state in a few lines. */
  static void print(JsonNode s) {
    System.out.println(
        "rollout of "
            + s.path("key").asText()
            + ": "
            + s.path("state").asText()
            + ", step "
            + s.path("step").asInt()
            + "/"
            + s.path("steps").size()
            + " ("
            + s.path("variant").asText()
            + " "
            + s.path("weight").asInt()
            + "%, "
            + s.path("control").asText()
            + " "
            + (100 - s.path("weight").asInt())
            + "%) in app "
            + s.path("app").asText());
    if (!s.path("reason").asText().isEmpty()) {
      System.out.println("  " + s.path("reason").asText());
    }
    if (!s.path("lastAnalysis").isNull() && !s.path("lastAnalysis").isMissingNode()) {
      System.out.println("  last analysis: " + s.path("lastAnalysis").asText());
    }
  }

  @Command(
      name = "rollout",
      mixinStandardHelpOptions = true,
      header = "Raise a variant's weight step by step under analysis; revert when it fails.",
      description = {
        "For a flag that an app evaluates at the edge (edgeFlags in the spec). Each step sets",
        "the flag's weights (an audited change); during a step the requests that got VARIANT",
        "are compared with those that got the other variants (the canary judge). A step ends",
        "when its interval is over and a measurement passed; a failed measurement puts the",
        "flag back as it was. Follows the rollout until it ends: exit 0 when it completed,",
        "1 when it was reverted or cancelled."
      })
  static final class Start extends FlagsCommand.Base {
    @Parameters(index = "0", paramLabel = "KEY", description = "the flag's key")
    String key;

    @Option(names = "--variant", required = true, description = "the variant to roll out")
    String variant;

    @Option(
        names = "--control",
        description =
            "the variant that gives up traffic (default: the flag's default variant, or the"
                + " other one of two)")
    @Nullable String control;

    @Option(
        names = "--steps",
        split = ",",
        required = true,
        paramLabel = "W,W,...",
        description = "the variant's weights in percent, e.g. 5,25,50,100")
    List<Integer> steps;

    @Option(
        names = "--interval",
        defaultValue = "30s",
        description = "how long each step lasts at least (default: ${DEFAULT-VALUE})")
    String interval;

    @Option(
        names = "--analysis",
        split = ",",
        defaultValue = "error_rate,latency_p99",
        description =
            "metrics compared with the other variants: error_rate, latency_p50..latency_p99"
                + " (default: ${DEFAULT-VALUE})")
    List<String> analysis;

    @Option(
        names = "--analysis-interval",
        description = "time between measurements, also their window (default: 5s or the interval)")
    @Nullable String analysisInterval;

    @Option(
        names = "--min-requests",
        defaultValue = "10",
        description = "requests the variant needs in a window to be judged (default: 10)")
    long minRequests;

    @Option(
        names = "--failure-limit",
        defaultValue = "0",
        description = "failed measurements tolerated per step (default: 0)")
    int failureLimit;

    @Option(names = "--app", description = "the app measured, when several evaluate the flag")
    @Nullable String app;

    @Option(names = "--detach", description = "start it and return without following it")
    boolean detach;

    @Override
    int run() throws ApiException, IOException {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("variant", variant);
      if (control != null) {
        body.put("control", control);
      }
      if (app != null) {
        body.put("app", app);
      }
      steps.forEach(body.putArray("steps")::add);
      body.put("interval", interval);
      analysis.forEach(body.putArray("analysis")::add);
      if (analysisInterval != null) {
        body.put("analysisInterval", analysisInterval);
      }
      body.put("minRequests", minRequests);
      body.put("failureLimit", failureLimit);
      JsonNode s = target.client().post(path(key), body);
      int shown = 0;
      for (JsonNode e : s.path("events")) {
        System.out.println(e.asText());
        shown++;
      }
      if (detach) {
        print(s);
        return 0;
      }
      while (s.path("state").asText().equals("RUNNING")
          || s.path("state").asText().equals("REVERTING")) {
        try {
          Thread.sleep(500); // polling pace, not synchronization
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Main.RELEASE_FAILED;
        }
        s = target.client().get(path(key));
        int i = 0;
        for (JsonNode e : s.path("events")) {
          if (i++ >= shown) {
            System.out.println(e.asText());
          }
        }
        shown = Math.max(shown, i);
      }
      print(s);
      return s.path("state").asText().equals("COMPLETED") ? 0 : Main.RELEASE_FAILED;
    }
  }

  @Command(
      name = "rollout-status",
      mixinStandardHelpOptions = true,
      header = "Show a flag's guarded rollout: its step, state, last analysis and events.")
  static final class Status extends FlagsCommand.Base {
    @Parameters(index = "0", paramLabel = "KEY", description = "the flag's key")
    String key;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default) or json")
    OutputFormat output = OutputFormat.text;

    @Override
    int run() throws ApiException, IOException {
      JsonNode s = target.client().get(path(key));
      if (output == OutputFormat.json) {
        FlagsCommand.printJson(s);
        return 0;
      }
      print(s);
      for (JsonNode e : s.path("events")) {
        System.out.println("  " + e.asText());
      }
      return 0;
    }
  }

  @Command(
      name = "rollout-abort",
      mixinStandardHelpOptions = true,
      header = "Stop a flag's running rollout and put the flag back as it was before it.")
  static final class Abort extends FlagsCommand.Base {
    @Parameters(index = "0", paramLabel = "KEY", description = "the flag's key")
    String key;

    @Override
    int run() throws ApiException, IOException {
      print(target.client().post(path(key) + "/abort", Json.MAPPER.createObjectNode()));
      return 0;
    }
  }
}
