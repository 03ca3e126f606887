package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.flags.Problem;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice flags ...}: the daemon's feature flags. A file of several small commands that share
 * their plumbing (the target, the output format, how a change is reported), as {@code git}'s
 * porcelain does.
 */
@Command(
    name = "flags",
    mixinStandardHelpOptions = true,
    header = "List, read, change, import and export feature flags.",
    description = {
      "Flags are kept in flagd's JSON format with Sluice's extensions (environments,",
      "owner, expires); see docs/flags.md. Every change is a new version of the flag",
      "set, with who made it and each flag before and after (sluice flags history KEY).",
      "Reading needs a viewer token, changing an operator token."
    },
    subcommands = {
      FlagsCommand.ListFlags.class,
      FlagsCommand.Get.class,
      FlagsCommand.Enable.class,
      FlagsCommand.Disable.class,
      FlagsCommand.SetDefault.class,
      FlagsCommand.SetWeights.class,
      FlagsCommand.Delete.class,
      FlagsCommand.History.class,
      FlagsCommand.Import.class,
      FlagsCommand.Export.class,
      FlagsCommand.Stale.class,
      FlagRolloutCommands.Start.class,
      FlagRolloutCommands.Status.class,
      FlagRolloutCommands.Abort.class
    })
final class FlagsCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** A flags command: runs against the daemon, maps failures to exit statuses. */
  abstract static class Base implements Callable<Integer> {
    @Mixin Target target;

    abstract int run() throws ApiException, IOException;

    @Override
    public Integer call() throws IOException {
      try {
        return run();
      } catch (ApiException e) {
        System.err.println(e.getMessage());
        return e.status() == 0 ? Main.UNREACHABLE : Main.REFUSED;
      }
    }
  }

  /** A command that changes one flag, optionally in one environment. */
  abstract static class Edit extends Base {
    @Parameters(index = "0", paramLabel = "KEY", description = "the flag's key")
    String key;

    @Option(
        names = {"-e", "--environment"},
        paramLabel = "ENV",
        description = "change only this environment's overrides (default: the flag itself)")
    @Nullable String environment;

    ObjectNode body() {
      ObjectNode o = Json.MAPPER.createObjectNode();
      if (environment != null) {
        o.put("environment", environment);
      }
      return o;
    }

    String in() {
      return environment == null ? "" : " in " + environment;
    }

    int post(String action, ObjectNode body, String what) throws ApiException {
      JsonNode r = target.client().post(flagPath(key) + "/" + action, body);
      report(r, what);
      return 0;
    }
  }

  static String flagPath(String key) {
    return "/api/v1/flags/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static void report(JsonNode commit, String what) {
    long version = commit.path("version").asLong();
    if (commit.path("changed").asBoolean()) {
      System.out.println(what + " (flag set version " + version + ")");
    } else {
      System.out.println(what + ": it already was; nothing changed (version " + version + ")");
    }
  }

  static void printJson(JsonNode json) throws JsonProcessingException {
    System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
  }

  static String text(JsonNode node) {
    return node.isNull() || node.isMissingNode() ? "-" : node.asText();
  }

  @Command(name = "list", mixinStandardHelpOptions = true, header = "List the flags.")
  static final class ListFlags extends Base {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default) or json")
    OutputFormat output = OutputFormat.text;

    @Override
    int run() throws ApiException, IOException {
      JsonNode list = target.client().get("/api/v1/flags");
      if (output == OutputFormat.json) {
        printJson(list);
        return 0;
      }
      System.out.printf(
          "%-28s %-8s %-9s %-14s %-24s %-16s %-10s %s%n",
          "KEY", "TYPE", "STATE", "DEFAULT", "ROLLOUT", "OWNER", "EXPIRES", "LAST EVALUATED");
      for (JsonNode f : list.path("flags")) {
        System.out.printf(
            "%-28s %-8s %-9s %-14s %-24s %-16s %-10s %s%n",
            f.path("key").asText(),
            f.path("type").asText(),
            f.path("state").asText(),
            text(f.path("defaultVariant")),
            rollout(f.path("targeting")),
            text(f.path("owner")),
            text(f.path("expires")),
            text(f.path("lastEvaluatedAt")));
      }
      JsonNode file = list.path("file");
      System.out.println(
          "flag set version "
              + list.path("version").asLong()
              + (file.isObject() ? ", file " + file.path("path").asText() + fileState(file) : ""));
      return 0;
    }

    private static String fileState(JsonNode file) {
      return file.path("error").isNull()
          ? " (loaded)"
          : " (NOT LOADED: " + file.path("error").asText().lines().findFirst().orElse("") + ")";
    }

    /** {@code on 10 / off 90} for a plain rollout, {@code rules} for other targeting. */
    private static String rollout(JsonNode targeting) {
      if (targeting.isNull() || targeting.isMissingNode() || targeting.isEmpty()) {
        return "-";
      }
      JsonNode fractional = targeting.path("fractional");
      if (targeting.size() != 1 || !fractional.isArray()) {
        return "rules";
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode bucket : fractional) {
        if (bucket.isArray()) {
          parts.add(bucket.path(0).asText() + " " + bucket.path(1).asInt(1));
        }
      }
      return String.join(" / ", parts);
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, header = "Show one flag.")
  static final class Get extends Base {
    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default: its definition and facts) or json")
    OutputFormat output = OutputFormat.text;

    @Override
    int run() throws ApiException, IOException {
      JsonNode f = target.client().get(flagPath(key));
      if (output == OutputFormat.json) {
        printJson(f);
        return 0;
      }
      System.out.println(key + " (" + f.path("type").asText() + ")");
      System.out.println("  state           " + f.path("state").asText());
      System.out.println("  default variant " + text(f.path("defaultVariant")));
      System.out.println("  owner           " + text(f.path("owner")));
      System.out.println("  expires         " + text(f.path("expires")));
      System.out.println("  last changed    version " + text(f.path("version")));
      System.out.println("  last evaluated  " + text(f.path("lastEvaluatedAt")));
      printJson(f.path("definition"));
      return 0;
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, header = "Enable a flag.")
  static final class Enable extends Edit {
    @Override
    int run() throws ApiException {
      return post("enable", body(), "enabled " + key + in());
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      header = "Disable a flag: it answers with the caller's default.")
  static final class Disable extends Edit {
    @Override
    int run() throws ApiException {
      return post("disable", body(), "disabled " + key + in());
    }
  }

  @Command(
      name = "set-default",
      mixinStandardHelpOptions = true,
      header = "Set the variant served when targeting decides nothing.")
  static final class SetDefault extends Edit {
    @Parameters(index = "1", paramLabel = "VARIANT")
    String variant;

    @Override
    int run() throws ApiException {
      return post(
          "default",
          body().put("variant", variant),
          "set the default variant of " + key + " to " + variant + in());
    }
  }

  @Command(
      name = "set-weights",
      mixinStandardHelpOptions = true,
      header = "Set the weights of a flag's percentage rollout, e.g. on=10 off=90.",
      description = {
        "Changes the one 'fractional' rollout in the flag's targeting (a flag without",
        "targeting gets one). Variants left out get no users. Weights are relative:",
        "on=1 off=3 sends 25 % to on."
      })
  static final class SetWeights extends Edit {
    private static final Pattern WEIGHT = Pattern.compile("(.+)=(\\d{1,10})");

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "VARIANT=WEIGHT")
    List<String> weights;

    @Override
    int run() throws ApiException {
      Map<String, Long> parsed = new LinkedHashMap<>();
      for (String w : weights) {
        Matcher m = WEIGHT.matcher(w);
        if (!m.matches()) {
          System.err.println(
              "weight: \"" + w + "\" (expected: VARIANT=WEIGHT with a whole number, e.g. on=10)");
          return Main.REFUSED;
        }
        parsed.put(m.group(1), Long.parseLong(m.group(2)));
      }
      ObjectNode body = body();
      ObjectNode w = body.putObject("weights");
      parsed.forEach(w::put);
      return post("weights", body, "set the weights of " + key + " to " + weights + in());
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, header = "Remove a flag.")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    int run() throws ApiException {
      report(target.client().delete(flagPath(key)), "deleted " + key);
      return 0;
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      header = "Show every change of a flag: when, who, what, before and after.")
  static final class History extends Base {
    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default) or json")
    OutputFormat output = OutputFormat.text;

    @Override
    int run() throws ApiException, IOException {
      JsonNode h = target.client().get(flagPath(key) + "/history");
      if (output == OutputFormat.json) {
        printJson(h);
        return 0;
      }
      for (JsonNode c : h.path("changes")) {
        System.out.printf(
            "version %d  %s  %s: %s%n",
            c.path("version").asLong(),
            c.path("at").asText(),
            c.path("actor").asText(),
            c.path("detail").asText());
        System.out.println("  before " + (c.path("before").isNull() ? "-" : c.path("before")));
        System.out.println("  after  " + (c.path("after").isNull() ? "-" : c.path("after")));
      }
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      header = "Load a flagd JSON file as the flag set (or merge it in with --merge).",
      description = {
        "The file is checked first, here and on the server; an invalid file changes",
        "nothing and every problem is listed."
      })
  static final class Import extends Base {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(
        names = "--merge",
        description = "add and replace the file's flags, keep the others (default: replace all)")
    boolean merge;

    @Option(
        names = "--if-version",
        paramLabel = "N",
        description = "refuse if the flag set is no longer at version N")
    @Nullable Long ifVersion;

    @Override
    int run() throws ApiException, IOException {
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        System.err.println("no such file: " + file);
        return Main.REFUSED;
      }
      try {
        FlagSet.parse(content);
      } catch (InvalidFlagSetException e) {
        List<Problem> problems = e.problems();
        System.err.println(
            file + ": " + (problems.size() == 1 ? "1 problem" : problems.size() + " problems"));
        problems.forEach(p -> System.err.println("  " + p));
        System.err.println("nothing was imported");
        return Main.REFUSED;
      }
      ObjectNode document = (ObjectNode) Json.MAPPER.readTree(content);
      String query = "?merge=" + merge + (ifVersion == null ? "" : "&ifVersion=" + ifVersion);
      JsonNode r = target.client().post("/api/v1/flagset" + query, document);
      List<String> changed = new ArrayList<>();
      r.path("changedKeys").forEach(k -> changed.add(k.asText()));
      report(
          r,
          (merge ? "merged " : "imported ")
              + file
              + (changed.isEmpty() ? "" : "; changed: " + String.join(", ", changed)));
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      header = "Print the flag set as flagd JSON.",
      description = {
        "Without --environment: the set as stored, with Sluice's extensions. With it:",
        "plain flagd for that environment (its overrides applied, the extension removed)."
      })
  static final class Export extends Base {
    @Option(
        names = {"-e", "--environment"},
        paramLabel = "ENV",
        description = "export plain flagd for this environment")
    @Nullable String environment;

    @Override
    int run() throws ApiException, IOException {
      String query =
          environment == null
              ? ""
              : "?environment=" + URLEncoder.encode(environment, StandardCharsets.UTF_8);
      printJson(target.client().get("/api/v1/flagset" + query));
      return 0;
    }
  }

  @Command(
      name = "stale",
      mixinStandardHelpOptions = true,
      header = "List flags that are probably ready to be removed.",
      description = {
        "Flags past their metadata.expires date, flags not evaluated for N days, and",
        "flags that served one value to everyone (a rollout at 100 %, no targeting,",
        "disabled) for N days."
      })
  static final class Stale extends Base {
    @Option(names = "--days", paramLabel = "N", description = "both periods (default: 30)")
    long days = 30;

    @Option(names = "--unused-days", paramLabel = "N", description = "not evaluated for N days")
    @Nullable Long unusedDays;

    @Option(
        names = "--uniform-days",
        paramLabel = "N",
        description = "one value for everyone for N days")
    @Nullable Long uniformDays;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text (default) or json")
    OutputFormat output = OutputFormat.text;

    @Override
    int run() throws ApiException, IOException {
      JsonNode r =
          target
              .client()
              .get(
                  "/api/v1/flagset/stale?unusedDays="
                      + (unusedDays == null ? days : unusedDays)
                      + "&uniformDays="
                      + (uniformDays == null ? days : uniformDays));
      if (output == OutputFormat.json) {
        printJson(r);
        return 0;
      }
      if (r.path("flags").isEmpty()) {
        System.out.println("no stale flags");
      }
      for (JsonNode f : r.path("flags")) {
        List<String> reasons = new ArrayList<>();
        f.path("reasons").forEach(x -> reasons.add(x.path("detail").asText()));
        System.out.printf(
            "%-28s %-16s %s%n",
            f.path("key").asText(), text(f.path("owner")), String.join("; ", reasons));
      }
      return 0;
    }
  }
}
