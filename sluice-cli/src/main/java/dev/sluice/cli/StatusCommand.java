package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice status [APP]}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Show apps: stable version, traffic split, release, replicas.",
    description = "Shows each app's stable version, traffic split, release and replicas.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "APP")
  @Nullable String app;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (default) or json")
  OutputFormat output = OutputFormat.text;

  @Mixin Target target;

  @Override
  public Integer call() {
    try {
      ApiClient client = target.client();
      JsonNode json = client.get(app == null ? "/api/v1/apps" : "/api/v1/apps/" + app);
      if (output == OutputFormat.json) {
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
      } else if (app == null) {
        for (JsonNode a : json.path("apps")) {
          Printer.app(a, System.out);
        }
      } else {
        Printer.app(json, System.out);
      }
      return 0;
    } catch (ApiException e) {
      System.err.println(e.getMessage());
      return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
