package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice shadow diffs APP}. */
@Command(
    name = "shadow",
    mixinStandardHelpOptions = true,
    header = "Shadow traffic: the answers that differed.",
    subcommands = {ShadowCommand.Diffs.class})
final class ShadowCommand implements Runnable {
  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  @Command(
      name = "diffs",
      mixinStandardHelpOptions = true,
      header = "List recent requests whose shadow answer differed from the stable one.")
  static final class Diffs implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "APP")
    String app;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default) or json")
    OutputFormat output = OutputFormat.text;

    @Mixin Target target;

    @Override
    public Integer call() throws Exception {
      try {
        JsonNode json = target.client().get("/api/v1/apps/" + app + "/shadow/diffs");
        if (output == OutputFormat.json) {
          System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
          return 0;
        }
        if (json.path("diffs").isEmpty()) {
          System.out.println(app + ": no differing answers recorded");
        }
        for (JsonNode d : json.path("diffs")) {
          System.out.printf(
              "%s  %s %s  %s %d vs %s %d  differs in: %s%n",
              d.path("at").asText(),
              d.path("method").asText(),
              d.path("target").asText(),
              d.path("primaryVersion").asText(),
              d.path("primary").path("status").asInt(),
              d.path("shadowVersion").asText(),
              d.path("shadow").path("status").asInt(),
              String.join(", ", Json.MAPPER.convertValue(d.path("differences"), String[].class)));
          System.out.println(
              "    "
                  + d.path("primaryVersion").asText()
                  + ": "
                  + oneLine(d.path("primary").path("body").asText()));
          System.out.println(
              "    "
                  + d.path("shadowVersion").asText()
                  + ": "
                  + oneLine(d.path("shadow").path("body").asText()));
        }
        return 0;
      } catch (ApiException e) {
        System.err.println(e.getMessage());
        return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
      }
    }

    private static String oneLine(String body) {
      String s = body.replaceAll("\\s+", " ").trim();
      return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
  }
}
