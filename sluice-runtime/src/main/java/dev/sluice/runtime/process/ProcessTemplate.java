package dev.sluice.runtime.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How to run one replica of a version: the command, extra environment, working directory and how
 * long a stop waits between SIGTERM and SIGKILL.
 *
 * <p>Each element of {@code command} may contain {@code ${version}}, replaced by the version's
 * name. The supervisor adds {@code PORT}, {@code SLUICE_APP}, {@code SLUICE_VERSION} and {@code
 * SLUICE_REPLICA} to the environment it inherits, so {@code env} may not set those.
 *
 * <pre>{@code
 * new ProcessTemplate(List.of("java", "-jar", "releases/shop-${version}.jar"),
 *     Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m"), null, Duration.ofSeconds(20));
 * }</pre>
 *
 * @param command program and arguments, not empty
 * @param env extra environment variables
 * @param workingDir the directory to start in, or null for the supervisor's own
 * @param stopGrace time between SIGTERM and SIGKILL on stop, zero or more
 */
public record ProcessTemplate(
    List<String> command, Map<String, String> env, @Nullable Path workingDir, Duration stopGrace) {

  /** Variables the supervisor sets per replica. */
  public static final Set<String> RESERVED_ENV =
      Set.of("PORT", "SLUICE_APP", "SLUICE_VERSION", "SLUICE_REPLICA");

  /** The stop grace of {@link #of}: 20 seconds. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(20);

  /** Copies and checks the fields; throws {@link IllegalArgumentException} naming the bad one. */
  public ProcessTemplate {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(stopGrace, "stopGrace");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: [] (expected: a program and its arguments)");
    }
    for (int i = 0; i < command.size(); i++) {
      if (command.get(i) == null) {
        throw new IllegalArgumentException("command[" + i + "]: null (expected: a string)");
      }
    }
    if (command.get(0).isBlank()) {
      throw new IllegalArgumentException("command[0]: blank (expected: a program)");
    }
    command = List.copyOf(command);
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "env: key '" + key + "' (expected: a variable name without '=')");
      }
      if (RESERVED_ENV.contains(key)) {
        throw new IllegalArgumentException(
            "env." + key + ": set by the supervisor for each replica (expected: another name)");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("env." + key + ": null (expected: a string)");
      }
    }
    env = Map.copyOf(new LinkedHashMap<>(env));
    if (stopGrace.isNegative()) {
      throw new IllegalArgumentException("stopGrace: " + stopGrace + " (expected: zero or more)");
    }
  }

  /** Returns a template for {@code command} with no extra env, no working dir, 20 s grace. */
  public static ProcessTemplate of(List<String> command) {
    return new ProcessTemplate(command, Map.of(), null, DEFAULT_STOP_GRACE);
  }

  /** Returns a template for {@code command} with no extra env, no working dir, 20 s grace. */
  public static ProcessTemplate of(String... command) {
    return of(List.of(command));
  }

  /** Returns a copy with {@code env} as extra environment. */
  public ProcessTemplate withEnv(Map<String, String> env) {
    return new ProcessTemplate(command, env, workingDir, stopGrace);
  }

  /** Returns a copy starting in {@code workingDir} (null: the supervisor's directory). */
  public ProcessTemplate withWorkingDir(@Nullable Path workingDir) {
    return new ProcessTemplate(command, env, workingDir, stopGrace);
  }

  /** Returns a copy waiting {@code stopGrace} between SIGTERM and SIGKILL. */
  public ProcessTemplate withStopGrace(Duration stopGrace) {
    return new ProcessTemplate(command, env, workingDir, stopGrace);
  }

  /** Returns the command with {@code ${version}} replaced by {@code version} in each element. */
  public List<String> commandFor(String version) {
    List<String> out = new ArrayList<>(command.size());
    for (String part : command) {
      out.add(part.replace("${version}", version));
    }
    return List.copyOf(out);
  }
}
