package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient.ApiException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice history APP}. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    header = "List every decision about an app, oldest first.",
    description =
        "Lists every decision about APP: ISO-8601 time, sequence number, type, description;"
            + " after the event that ended an experiment or a shadow release, its final"
            + " results (per arm and metric, or the diff rate).")
final class HistoryCommand implements Callable<Integer> {
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
      JsonNode json = target.client().get("/api/v1/apps/" + app + "/history");
      if (output == OutputFormat.json) {
        System.out.println(
            dev.sluice.server.api.Json.MAPPER
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(json));
      } else {
        Printer.history(json, System.out);
      }
      return 0;
    } catch (ApiException e) {
      System.err.println(e.getMessage());
      return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
    }
  }
}
