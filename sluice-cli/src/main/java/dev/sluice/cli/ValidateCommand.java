package dev.sluice.cli;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice validate -f FILE}: checks a spec without a daemon. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    header = "Check a spec file; print every problem with line and column.",
    description = "Checks a spec file and prints every problem with its line and column.")
final class ValidateCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE")
  Path file;

  @Override
  public Integer call() throws Exception {
    try {
      Spec spec = SpecParser.parse(file);
      for (AppSpec a : spec.apps()) {
        System.out.println(
            file.getFileName()
                + ": app "
                + a.name()
                + " on "
                + a.listen()
                + ", "
                + a.strategy().kind()
                + ": ok");
      }
      return 0;
    } catch (SpecException e) {
      System.err.println(e.getMessage());
      return Main.REFUSED;
    } catch (NoSuchFileException e) {
      System.err.println("no such spec file: " + e.getFile());
      return Main.REFUSED;
    }
  }
}
