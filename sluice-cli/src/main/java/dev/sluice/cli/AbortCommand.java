package dev.sluice.cli;

import dev.sluice.server.api.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice abort APP}. */
@Command(
    name = "abort",
    mixinStandardHelpOptions = true,
    header = "Stop the release in progress; traffic back to stable at once.",
    description = "Stops the release in progress; all traffic goes to the stable version at once.")
final class AbortCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "APP")
  String app;

  @Mixin Target target;

  @Override
  public Integer call() {
    return Mutation.call(target, app, "abort", Json.MAPPER.createObjectNode());
  }
}
