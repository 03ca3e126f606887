package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0",
    description = "Progressive delivery for HTTP services: blue-green, canary, rollback.",
    subcommands = {
      UpCommand.class,
      RouterCommand.class,
      DeployCommand.class,
      StatusCommand.class,
      PromoteCommand.class,
      AbortCommand.class,
      RollbackCommand.class,
      HistoryCommand.class,
      ValidateCommand.class,
      SampleAppCommand.class,
      DemoCommand.class,
      TokenCommand.class,
      ShadowCommand.class,
      FlagsCommand.class,
    })
public final class Main implements Runnable {

  /** Exit status when a release did not succeed (failed, rolled back, aborted). */
  static final int RELEASE_FAILED = 1;

  /** Exit status when the input was refused (bad spec, bad argument, conflict). */
  static final int REFUSED = 2;

  /** Exit status when the daemon could not be reached. */
  static final int UNREACHABLE = 3;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests, without exiting). */
  public static int run(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
