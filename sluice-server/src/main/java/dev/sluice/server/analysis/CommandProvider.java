package dev.sluice.server.analysis;

import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Reading;
import dev.sluice.core.spec.Durations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in the spec's directory: exit status 0 passes, any other fails. When the metric
 * has conditions, the last non-blank line of its standard output is the number they check. A
 * command that cannot start, or outlives its timeout (it is killed, with its children), is an
 * error, not a failure.
 */
final class CommandProvider implements MetricProvider {
  /** Output beyond this is dropped: a check prints a line, not a log. */
  private static final int MAX_OUTPUT = 64 * 1024;

  private final Path workingDir;

  CommandProvider(Path workingDir) {
    this.workingDir = workingDir;
  }

  @Override
  public Reading read(MetricSpec metric, Target t) throws MetricException, InterruptedException {
    MetricSpec.Command c = (MetricSpec.Command) metric.provider();
    ProcessBuilder pb = new ProcessBuilder(c.command()).directory(workingDir.toFile());
    Map<String, String> env = pb.environment();
    env.put("SLUICE_APP", t.app());
    env.put("SLUICE_VERSION", t.canary());
    env.put("SLUICE_CANARY", t.canary());
    env.put("SLUICE_STABLE", t.stable() == null ? "" : t.stable());
    env.put("SLUICE_WINDOW", Long.toString(t.window().toSeconds()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new MetricException("cannot run " + c.command().get(0) + ": " + e.getMessage());
    }
    Output out = new Output(p.getInputStream());
    Output err = new Output(p.getErrorStream());
    try {
      p.getOutputStream().close(); // a check reads no input
    } catch (IOException e) {
      // it has exited already; its exit status says how it went
    }
    boolean finished;
    try {
      finished = p.waitFor(c.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(p);
      throw e;
    }
    if (!finished) {
      kill(p);
      throw new MetricException(
          c.command().get(0) + " did not finish within " + Durations.format(c.timeout()));
    }
    // Read the output before anything is destroyed: destroying a process closes its streams.
    String stdout = out.text();
    String stderr = err.text();
    p.descendants().forEach(ProcessHandle::destroyForcibly); // nothing a check started outlives it
    int exit = p.exitValue();
    if (exit != 0) {
      String said = lastLine(stderr.isBlank() ? stdout : stderr);
      return Reading.failed("exit status " + exit + (said.isEmpty() ? "" : ": " + said));
    }
    if (metric.conditions().isEmpty()) {
      return Reading.passed("exit status 0");
    }
    String line = lastLine(stdout);
    try {
      return Reading.of(Double.parseDouble(line));
    } catch (NumberFormatException e) {
      throw new MetricException(
          line.isEmpty()
              ? c.command().get(0) + " printed nothing (expected: a number on its last line)"
              : c.command().get(0)
                  + " printed \""
                  + HttpProvider.abbreviate(line)
                  + "\" (expected: a number on its last line)");
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static String lastLine(String text) {
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    return lines.isEmpty() ? "" : HttpProvider.abbreviate(lines.get(lines.size() - 1));
  }

  /** Drains one output stream on a virtual thread, keeping its first 64 KiB. */
  private static final class Output {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread reader;

    Output(InputStream in) {
      reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] buf = new byte[8192];
                    try (in) {
                      int n;
                      while ((n = in.read(buf)) >= 0) {
                        synchronized (kept) {
                          int room = MAX_OUTPUT - kept.size();
                          kept.write(buf, 0, Math.max(0, Math.min(room, n)));
                        }
                      }
                    } catch (IOException e) {
                      // the process is gone; keep what was read
                    }
                  });
    }

    String text() throws InterruptedException {
      reader.join(1000);
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
