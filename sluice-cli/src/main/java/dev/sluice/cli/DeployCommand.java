package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

/** {@code sluice deploy APP VERSION}: starts a release. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    header = "Release a new version of an app; --wait follows it to the end.",
    description = {
      "Starts a release of VERSION of APP with the app's strategy. With --wait (the default on",
      "a terminal) it shows progress and exits 0 when the version is stable, 1 when the release",
      "failed, was rolled back or aborted."
    })
final class DeployCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "APP")
  String app;

  @Parameters(index = "1", paramLabel = "VERSION")
  String version;

  @Option(
      names = "--wait",
      negatable = true,
      description = "wait for the outcome (default: when stdout is a terminal)")
  @Nullable Boolean wait;

  @Option(names = "--force", description = "replace a release in progress instead of refusing")
  boolean force;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "give up waiting after this (default: 30m)")
  String timeout = "30m";

  @Mixin Target target;

  @Override
  public Integer call() {
    Duration limit = dev.sluice.core.spec.Durations.parse(timeout);
    if (limit == null) {
      System.err.println("--timeout: \"" + timeout + "\" (expected: a duration like 90s or 30m)");
      return Main.REFUSED;
    }
    try {
      ApiClient client = target.client();
      JsonNode before = client.get("/api/v1/apps/" + app);
      long since = before.path("lastEvent").asLong();
      JsonNode after =
          client.post(
              "/api/v1/apps/" + app + "/deploy",
              Json.MAPPER.createObjectNode().put("version", version).put("force", force));
      int revision = after.path("release").path("revision").asInt();
      boolean waiting = wait != null ? wait : System.console() != null;
      if (!waiting) {
        System.out.println(
            "release "
                + revision
                + " of "
                + app
                + " ("
                + version
                + ") started; follow it with 'sluice status "
                + app
                + "'");
        return 0;
      }
      return Progress.follow(client, app, revision, since, limit, System.out);
    } catch (ApiException e) {
      System.err.println(e.getMessage());
      return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
    }
  }
}
