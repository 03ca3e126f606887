package dev.sluice.server.control;

import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.spec.HookSpec;
import dev.sluice.core.spec.Redacted;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs the hooks of one release phase in order, off the controller thread: commands (exit 0 passes)
 * and HTTP calls (2xx passes). The first failure ends the phase.
 */
final class HookRunner implements AutoCloseable {
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path logDir;
  private final Path workDir;

  HookRunner(Path logDir, Path workDir) {
    this.logDir = logDir;
    this.workDir = workDir;
  }

  /**
   * Where and for whom the hooks run.
   *
   * @param target base URL of the new version for {@code path} hooks, e.g. {@code
   *     http://127.0.0.1:8081}; null when it has none yet
   */
  record Context(
      String app,
      int revision,
      String phase,
      String version,
      @Nullable String stable,
      @Nullable String target) {}

  CompletableFuture<HookOutcome> run(Context ctx, List<HookSpec> hooks) {
    return CompletableFuture.supplyAsync(() -> runAll(ctx, hooks), executor);
  }

  private HookOutcome runAll(Context ctx, List<HookSpec> hooks) {
    List<String> passed = new ArrayList<>();
    for (HookSpec h : hooks) {
      String failure;
      try {
        failure =
            switch (h) {
              case HookSpec.Run r -> run(ctx, r);
              case HookSpec.Http x -> call(ctx, x);
            };
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = "interrupted";
      } catch (RuntimeException | IOException e) {
        failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      String name = describe(h);
      if (failure != null) {
        return new HookOutcome(ctx.revision(), ctx.phase(), false, name + ": " + failure);
      }
      passed.add(name);
    }
    return new HookOutcome(ctx.revision(), ctx.phase(), true, String.join(", ", passed));
  }

  static String describe(HookSpec h) {
    return switch (h) {
      case HookSpec.Run r -> String.join(" ", r.command());
      case HookSpec.Http x -> x.method() + " " + Redacted.url(x.target()); // no keys in events
    };
  }

  /** Runs a command; returns null when it passed, else why not. */
  private @Nullable String run(Context ctx, HookSpec.Run r)
      throws IOException, InterruptedException {
    Path log = logDir.resolve(ctx.app()).resolve("hooks.log");
    Files.createDirectories(log.getParent());
    Files.writeString(
        log,
        "== release "
            + ctx.revision()
            + " "
            + ctx.phase()
            + ": "
            + String.join(" ", r.command())
            + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder pb = new ProcessBuilder(r.command()).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.put("SLUICE_APP", ctx.app());
    env.put("SLUICE_VERSION", ctx.version());
    env.put("SLUICE_STABLE", ctx.stable() == null ? "" : ctx.stable());
    env.put("SLUICE_PHASE", ctx.phase());
    env.put("SLUICE_REVISION", Integer.toString(ctx.revision()));
    if (ctx.target() != null) {
      env.put("SLUICE_PREVIEW", ctx.target());
    }
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return "cannot start: " + e.getMessage();
    }
    if (!p.waitFor(r.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return "timed out after " + dev.sluice.core.spec.Durations.format(r.timeout());
    }
    return p.exitValue() == 0
        ? null
        : "exit status " + p.exitValue() + " (output in " + log.getFileName() + ")";
  }

  /** Calls a URL; returns null on 2xx, else why not. */
  private @Nullable String call(Context ctx, HookSpec.Http h)
      throws IOException, InterruptedException {
    String url = h.target();
    if (url.startsWith("/")) {
      if (ctx.target() == null) {
        return "no address of " + ctx.version() + " to call";
      }
      url = ctx.target() + url;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(h.timeout())
            .method(h.method(), HttpRequest.BodyPublishers.noBody())
            .header("User-Agent", "sluice-hook")
            .build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      int code = response.statusCode();
      return code / 100 == 2 ? null : "answered " + code;
    } catch (java.net.http.HttpTimeoutException e) {
      return "no answer within " + dev.sluice.core.spec.Durations.format(h.timeout());
    } catch (java.net.ConnectException e) {
      return "connection refused";
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
