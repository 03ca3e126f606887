package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice rollback APP [--to VERSION]}. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    header = "Go back to the previous version (or --to VERSION).",
    description = {
      "Goes back to the previous version (or --to VERSION): at once while that version is still",
      "running (within scaleDownDelay), else by releasing its revision again."
    })
final class RollbackCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "APP")
  String app;

  @Option(names = "--to", paramLabel = "VERSION", description = "the version to go back to")
  @Nullable String to;

  @Option(
      names = "--wait",
      negatable = true,
      description = "when the rollback starts a release, wait for it (default: on a terminal)")
  @Nullable Boolean wait;

  @Mixin Target target;

  @Override
  public Integer call() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    if (to != null) {
      body.put("to", to);
    }
    try {
      ApiClient client = target.client();
      long since = client.get("/api/v1/apps/" + app).path("lastEvent").asLong();
      JsonNode a = client.post("/api/v1/apps/" + app + "/rollback", body);
      JsonNode r = a.path("release");
      boolean waiting = wait != null ? wait : System.console() != null;
      if (!r.path("done").asBoolean() && r.path("trigger").asText().equals("rollback") && waiting) {
        return Progress.follow(
            client, app, r.path("revision").asInt(), since, Duration.ofMinutes(30), System.out);
      }
      for (JsonNode e :
          client.get("/api/v1/apps/" + app + "/history?after=" + since).path("events")) {
        System.out.println(e.path("description").asText());
      }
      System.out.println(app + ": traffic " + Printer.weights(a.path("weights")));
      return 0;
    } catch (ApiException e) {
      System.err.println(e.getMessage());
      return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
    }
  }
}
