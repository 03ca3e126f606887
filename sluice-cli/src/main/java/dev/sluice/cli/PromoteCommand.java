package dev.sluice.cli;

import dev.sluice.server.api.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice promote APP}. */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    header = "Let a paused release go on (--full: skip remaining steps).",
    description = "Lets a paused release go on (--full: skip its remaining steps).")
final class PromoteCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "APP")
  String app;

  @Option(names = "--full", description = "skip the remaining steps and analysis")
  boolean full;

  @Mixin Target target;

  @Override
  public Integer call() {
    return Mutation.call(target, app, "promote", Json.MAPPER.createObjectNode().put("full", full));
  }
}
