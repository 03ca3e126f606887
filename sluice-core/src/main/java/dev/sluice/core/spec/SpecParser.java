package dev.sluice.core.spec;

import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.AnalysisSpecReader;
import dev.sluice.core.spec.internal.NodeJson;
import dev.sluice.core.spec.internal.Problems;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * Reads a Sluice spec from YAML (or JSON) and checks it, reporting every problem with its file,
 * line, column, field path, the value given and what was expected.
 *
 * <p>{@code Spec spec = SpecParser.parse(Files.readString(path), "sluice.yaml");}
 */
public final class SpecParser {
  /** App names: DNS labels, so they can name Kubernetes objects too. */
  public static final Pattern APP_NAME = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

  /** Version names: what a tag or a file name may hold. */
  public static final Pattern VERSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  static final String APP_NAME_EXPECTED =
      "an app name: lower-case letters, digits and '-', starting with a letter, at most 63";
  public static final String VERSION_EXPECTED =
      "a version: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63";

  private static final Pattern METHODS = Pattern.compile("GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS");

  private static final Duration MAX_DURATION = Duration.ofDays(7);

  private SpecParser() {}

  /** Reads a spec file. */
  public static Spec parse(Path file) throws IOException, SpecException {
    return parse(Files.readString(file), file.getFileName().toString());
  }

  /**
   * Reads a spec from text.
   *
   * @param source what to call the input in messages, usually the file name
   * @throws SpecException with every problem found; nothing is returned then
   */
  public static Spec parse(String text, String source) throws SpecException {
    Problems problems = new Problems(source);
    Node root = compose(text, problems);
    if (root == null) {
      problems.throwIfAny();
      problems.add(null, "", "an empty document", "a mapping with 'apps'");
      problems.throwIfAny();
    }
    Fields top =
        YamlValue.root(root, problems)
            .fields("a mapping with 'apps' (and 'flags')", "apps", "flags");
    List<AppSpec> apps = new ArrayList<>();
    YamlValue appsValue = top.get("apps");
    List<YamlValue> items = appsValue.items("a list of apps");
    if (appsValue.isSequence() && items.isEmpty() || !appsValue.present()) {
      appsValue.problem("a list of at least one app");
    }
    for (YamlValue item : items) {
      AppSpec app = app(item);
      if (app != null) {
        apps.add(app);
      }
    }
    crossCheck(items, problems);
    FlagsSpec flags = top.get("flags").map(SpecParser::flags, null);
    problems.throwIfAny();
    return new Spec(apps, flags);
  }

  /**
   * Reads back an app from its {@link AppSpec#snapshot() snapshot}, as kept with a release.
   *
   * @throws SpecException when the snapshot no longer fits this version of Sluice
   */
  public static AppSpec parseSnapshot(String json) throws SpecException {
    Problems problems = new Problems("release snapshot");
    Node root = compose(json, problems);
    AppSpec app = root == null ? null : app(YamlValue.root(root, problems));
    problems.throwIfAny();
    if (app == null) {
      problems.add(null, "", "an empty snapshot", "an app spec");
      problems.throwIfAny();
    }
    return app;
  }

  /** Parses YAML into a node tree; syntax errors become problems. */
  public static @Nullable Node compose(String text, Problems problems) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(problems.source())
            .setSchema(new JsonSchema())
            .setAllowDuplicateKeys(true) // reported by YamlValue with a position
            .setMaxAliasesForCollections(50)
            .setCodePointLimit(4 * 1024 * 1024)
            .build();
    try {
      Optional<Node> node = new Compose(settings).composeString(text);
      return node.orElse(null);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      int col = e.getProblemMark().map(m -> m.getColumn() + 1).orElse(0);
      String what = e.getProblem() == null ? "malformed YAML" : e.getProblem();
      problems.add(new Problem(problems.source(), line, col, "", what, "well-formed YAML"));
      return null;
    } catch (YamlEngineException e) {
      problems.add(new Problem(problems.source(), 0, 0, "", e.getMessage(), "well-formed YAML"));
      return null;
    }
  }

  private static @Nullable AppSpec app(YamlValue v) {
    Problems before = v.problems();
    int known = before.list().size();
    Fields f =
        v.fields(
            "an app: a mapping with name, listen and runtime",
            "name",
            "listen",
            "runtime",
            "health",
            "timeouts",
            "progressDeadline",
            "revisionHistoryLimit",
            "strategy",
            "hooks",
            "notifications");
    String name = f.get("name").string(APP_NAME, APP_NAME_EXPECTED);
    RuntimeSpec runtime = runtime(f.get("runtime"));
    // On Kubernetes users reach the app through its Service: listen only names it, for status.
    HostPort listen =
        f.get("listen")
            .hostPort(
                runtime instanceof RuntimeSpec.Kubernetes k
                    ? k.serviceAddress()
                    : KubernetesSpecReader.isKubernetes(f.get("runtime"))
                        ? new HostPort("unknown", 80)
                        : null);
    HealthSpec health = f.get("health").map(SpecParser::health, HealthSpec.defaults());
    TimeoutSpec timeouts = f.get("timeouts").map(SpecParser::timeouts, TimeoutSpec.defaults());
    Duration deadline =
        f.get("progressDeadline")
            .duration(Duration.ofSeconds(1), MAX_DURATION, Duration.ofMinutes(10));
    Integer history = f.get("revisionHistoryLimit").integer(1, 1000, 10);
    StrategySpec strategy =
        f.get("strategy").map(SpecParser::strategy, StrategySpec.BlueGreen.defaults());
    HooksSpec hooks = f.get("hooks").map(SpecParser::hooks, HooksSpec.none());
    List<NotificationSpec> notifications = notifications(f.get("notifications"));
    if (runtime instanceof RuntimeSpec.Kubernetes k
        && strategy != null
        && before.list().size() == known) {
      strategy = KubernetesSpecReader.check(f, k, strategy);
    }
    if (before.list().size() > known
        || name == null
        || listen == null
        || runtime == null
        || strategy == null
        || v.node() == null) {
      return null;
    }
    return new AppSpec(
        name,
        listen,
        runtime,
        health,
        timeouts,
        deadline,
        history,
        strategy,
        hooks,
        notifications,
        NodeJson.write(v.node()));
  }

  private static List<NotificationSpec> notifications(YamlValue v) {
    List<NotificationSpec> out = new ArrayList<>();
    String events =
        "some of: " + String.join(", ", new java.util.TreeSet<>(NotificationSpec.EVENTS));
    for (YamlValue item : v.items("a list of {webhook: URL, events: [...], format: json|slack}")) {
      Fields f =
          item.fields("a mapping with webhook, events, format", "webhook", "events", "format");
      YamlValue hook = f.get("webhook");
      String url = hook.string(Pattern.compile("https?://.+"), "an http or https URL");
      List<String> wanted = new ArrayList<>();
      for (YamlValue e : f.get("events").items("a list of events, " + events)) {
        String name = e.string(Pattern.compile("[A-Za-z]+"), events);
        if (name != null && !NotificationSpec.EVENTS.contains(name)) {
          e.problem(events);
        } else if (name != null) {
          wanted.add(name);
        }
      }
      YamlValue fmt = f.get("format");
      String format =
          fmt.present() ? fmt.string(Pattern.compile("json|slack"), "json or slack") : "json";
      if (url != null && format != null) {
        out.add(new NotificationSpec(url, wanted, format));
      }
    }
    return out;
  }

  private static @Nullable FlagsSpec flags(YamlValue v) {
    Fields f = v.fields("a mapping with file", "file");
    String file = f.get("file").string(Pattern.compile(".+"), "a path to a flagd JSON file");
    return file == null ? null : new FlagsSpec(file);
  }

  private static @Nullable RuntimeSpec runtime(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with one of: process, static, kubernetes",
            "process",
            "static",
            "kubernetes");
    if (!v.present() || f.keys().size() != 1) {
      if (v.isMapping() || !v.present()) {
        v.problem(
            !v.present() ? "missing" : f.keys().isEmpty() ? "no runtime" : "several runtimes",
            "exactly one of: process (Sluice runs the versions), static (you run them),"
                + " kubernetes (Deployments on Kubernetes)");
      }
      return null;
    }
    if (f.has("kubernetes")) {
      return KubernetesSpecReader.read(f.get("kubernetes"));
    }
    if (f.has("process")) {
      YamlValue p = f.get("process");
      Fields pf =
          p.fields(
              "a mapping with command, replicas, stopGrace, env, workingDir",
              "command",
              "replicas",
              "stopGrace",
              "env",
              "workingDir");
      YamlValue commandValue = pf.get("command");
      List<String> command = strings(commandValue, "a list of strings: the command of one replica");
      if (command.isEmpty() && (commandValue.isSequence() || !commandValue.present())) {
        commandValue.problem("a non-empty list of strings: the command of one replica");
      }
      Integer replicas = pf.get("replicas").integer(1, 100, 1);
      Duration grace =
          pf.get("stopGrace").duration(Duration.ZERO, Duration.ofHours(1), Duration.ofSeconds(10));
      Map<String, String> env = new LinkedHashMap<>();
      pf.get("env")
          .fields("a mapping of variable names to strings")
          .all()
          .forEach(
              (k, e) -> {
                String s = e.string((String) null, "a string");
                if (s != null) {
                  env.put(k, s);
                }
              });
      String wd = pf.get("workingDir").string((String) null, "a directory path");
      return new RuntimeSpec.Process(command, replicas, grace, env, wd);
    }
    YamlValue s = f.get("static");
    Fields sf = s.fields("a mapping with versions", "versions");
    Map<String, List<URI>> versions = new LinkedHashMap<>();
    YamlValue vs = sf.get("versions");
    Fields vf = vs.fields("a mapping of version name to a list of URLs");
    if (vf.keys().isEmpty()) {
      vs.problem("a mapping of version name to a list of URLs, at least one version");
    }
    vf.all()
        .forEach(
            (version, urls) -> {
              if (!VERSION_NAME.matcher(version).matches()) {
                urls.problem('"' + version + '"', VERSION_EXPECTED);
              }
              List<URI> list = new ArrayList<>();
              List<YamlValue> items = urls.items("a list of URLs like http://127.0.0.1:9001");
              if (items.isEmpty()) {
                urls.problem("a non-empty list of URLs like http://127.0.0.1:9001");
              }
              for (YamlValue u : items) {
                URI uri = url(u);
                if (uri != null) {
                  list.add(uri);
                }
              }
              versions.put(version, list);
            });
    return new RuntimeSpec.Static(versions);
  }

  private static @Nullable URI url(YamlValue u) {
    String expected = "an http URL with host and port, like http://127.0.0.1:9001";
    String text = u.string((String) null, expected);
    if (text == null) {
      u.problem(expected);
      return null;
    }
    try {
      URI uri = new URI(text);
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
        u.problem(expected);
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      u.problem(expected);
      return null;
    }
  }

  private static HealthSpec health(YamlValue v) {
    HealthSpec d = HealthSpec.defaults();
    Fields f =
        v.fields(
            "a mapping with path, interval, timeout, healthyThreshold, unhealthyThreshold",
            "path",
            "interval",
            "timeout",
            "healthyThreshold",
            "unhealthyThreshold");
    String path = f.get("path").string(d.path(), "a path starting with /");
    if (!path.startsWith("/")) {
      f.get("path").problem("a path starting with /");
    }
    Duration interval =
        f.get("interval").duration(Duration.ofMillis(100), Duration.ofMinutes(5), d.interval());
    Duration timeout =
        f.get("timeout").duration(Duration.ofMillis(10), Duration.ofMinutes(1), d.timeout());
    int healthy = f.get("healthyThreshold").integer(1, 100, d.healthyThreshold());
    int unhealthy = f.get("unhealthyThreshold").integer(1, 100, d.unhealthyThreshold());
    return new HealthSpec(path, interval, timeout, healthy, unhealthy);
  }

  private static TimeoutSpec timeouts(YamlValue v) {
    TimeoutSpec d = TimeoutSpec.defaults();
    Fields f = v.fields("a mapping with connect, request, idle", "connect", "request", "idle");
    Duration max = Duration.ofHours(1);
    Duration min = Duration.ofMillis(1);
    return new TimeoutSpec(
        f.get("connect").duration(min, max, d.connect()),
        f.get("request").duration(min, max, d.request()),
        f.get("idle").duration(min, max, d.idle()));
  }

  private static @Nullable StrategySpec strategy(YamlValue v) {
    String one = "exactly one of: blueGreen, canary, rolling";
    Fields f =
        v.fields(
            "a mapping with one of: blueGreen, canary, rolling", "blueGreen", "canary", "rolling");
    if (f.keys().size() != 1) {
      if (v.isMapping()) {
        v.problem(f.keys().isEmpty() ? "no strategy" : "several strategies", one);
      }
      return null;
    }
    if (f.keys().contains("canary")) {
      return canary(f.get("canary"));
    }
    if (f.keys().contains("rolling")) {
      return rolling(f.get("rolling"));
    }
    YamlValue bg = f.get("blueGreen");
    StrategySpec.BlueGreen d = StrategySpec.BlueGreen.defaults();
    if (!bg.present()) {
      return d;
    }
    Fields bf =
        bg.fields(
            "a mapping with autoPromote, scaleDownDelay, previewListen",
            "autoPromote",
            "scaleDownDelay",
            "previewListen");
    return new StrategySpec.BlueGreen(
        bf.get("autoPromote").bool(d.autoPromote()),
        bf.get("scaleDownDelay").duration(Duration.ZERO, MAX_DURATION, d.scaleDownDelay()),
        bf.get("previewListen").present() ? bf.get("previewListen").hostPort(null) : null);
  }

  private static StrategySpec.Canary canary(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with steps, canaryReplicas, scaleDownDelay, rollbackWindow, analysis",
            "steps",
            "canaryReplicas",
            "scaleDownDelay",
            "rollbackWindow",
            "analysis");
    List<StrategySpec.CanaryStep> steps = new ArrayList<>();
    for (YamlValue item : f.get("steps").items("a list of steps")) {
      StrategySpec.CanaryStep step = step(item);
      if (step != null) {
        steps.add(step);
      }
    }
    YamlValue replicas = f.get("canaryReplicas");
    return new StrategySpec.Canary(
        steps,
        replicas.present() ? replicas.integer(1, 100, 1) : null,
        f.get("scaleDownDelay").duration(Duration.ZERO, MAX_DURATION, Duration.ofSeconds(30)),
        f.get("rollbackWindow").integer(0, 1000, 0),
        f.get("analysis").present() ? AnalysisSpecReader.read(f.get("analysis")) : null);
  }

  private static StrategySpec.@Nullable CanaryStep step(YamlValue item) {
    String expected = "a step: {setWeight: N}, {pause: {...}}, {analysis: {...}} or {gate: {...}}";
    Fields f = item.fields(expected, "setWeight", "pause", "analysis", "gate");
    if (f.keys().size() != 1) {
      if (item.isMapping()) {
        item.problem(
            f.keys().isEmpty() ? "an empty step" : "several actions in one step",
            "exactly one of: setWeight, pause, analysis, gate");
      } else if (!item.isMapping()) {
        item.problem(expected);
      }
      return null;
    }
    if (f.keys().contains("setWeight")) {
      Integer w = f.get("setWeight").integer(0, 100, null);
      return w == null ? null : new StrategySpec.CanaryStep.SetWeight(w);
    }
    if (f.keys().contains("analysis")) {
      AnalysisSpec a = AnalysisSpecReader.read(f.get("analysis"));
      return a == null ? null : new StrategySpec.CanaryStep.Analysis(a);
    }
    if (f.keys().contains("pause")) {
      YamlValue p = f.get("pause");
      Fields pf =
          p.fields("a mapping: {duration: 30s}, or {} to wait for 'sluice promote'", "duration");
      Duration d =
          pf.get("duration").present()
              ? pf.get("duration").duration(Duration.ZERO, MAX_DURATION, null)
              : null;
      return new StrategySpec.CanaryStep.Pause(d);
    }
    YamlValue g = f.get("gate");
    Fields gf = g.fields("a mapping with http, interval, timeout", "http", "interval", "timeout");
    URI url = url(gf.get("http"));
    Duration interval =
        gf.get("interval")
            .duration(Duration.ofMillis(100), Duration.ofMinutes(10), Duration.ofSeconds(5));
    Duration timeout =
        gf.get("timeout").duration(Duration.ofSeconds(1), MAX_DURATION, Duration.ofHours(1));
    return url == null ? null : new StrategySpec.CanaryStep.Gate(url.toString(), interval, timeout);
  }

  private static final Pattern SURGE = Pattern.compile("\\d{1,3}%?");

  private static StrategySpec.@Nullable Rolling rolling(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with maxSurge, maxUnavailable, analysis",
            "maxSurge",
            "maxUnavailable",
            "analysis");
    AnalysisSpec analysis =
        f.get("analysis").present() ? AnalysisSpecReader.read(f.get("analysis")) : null;
    String surge = count(f.get("maxSurge"), "25%");
    String unavailable = count(f.get("maxUnavailable"), "25%");
    if (surge == null || unavailable == null) {
      return null;
    }
    if (isZero(surge) && isZero(unavailable)) {
      f.get("maxUnavailable")
          .problem(
              "0 with maxSurge 0",
              "maxSurge and maxUnavailable not both 0: no replica could be replaced");
      return null;
    }
    return new StrategySpec.Rolling(surge, unavailable, analysis);
  }

  /** An absolute count or a percentage, as Kubernetes' IntOrString. */
  private static @Nullable String count(YamlValue v, String def) {
    if (!v.present()) {
      return def;
    }
    String expected = "a number of replicas like 1, or a percent of them like 25%";
    String text = v.string((String) null, expected);
    if (text == null
        || !SURGE.matcher(text).matches()
        || (text.endsWith("%") && Integer.parseInt(text.substring(0, text.length() - 1)) > 100)) {
      v.problem(expected);
      return null;
    }
    return text;
  }

  private static boolean isZero(String count) {
    return count.equals("0") || count.equals("0%");
  }

  private static HooksSpec hooks(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping of phase to a list of hooks",
            "preRollout",
            "prePromotion",
            "postPromotion",
            "onRollback");
    return new HooksSpec(
        hookList(f.get("preRollout")),
        hookList(f.get("prePromotion")),
        hookList(f.get("postPromotion")),
        hookList(f.get("onRollback")));
  }

  private static List<HookSpec> hookList(YamlValue v) {
    List<HookSpec> out = new ArrayList<>();
    for (YamlValue item : v.items("a list of hooks, each {run: [...]} or {http: {...}}")) {
      Fields f =
          item.fields(
              "a hook: {run: [command...]} or {http: {url, method}}", "run", "http", "timeout");
      boolean run = f.has("run");
      boolean http = f.has("http");
      if (run == http) {
        if (item.isMapping()) {
          item.problem(
              run ? "both run and http" : "neither run nor http", "exactly one of: run, http");
        }
        continue;
      }
      if (run) {
        Duration timeout =
            f.get("timeout")
                .duration(Duration.ofMillis(1), Duration.ofHours(6), Duration.ofMinutes(1));
        List<String> command = strings(f.get("run"), "a non-empty list of strings: a command");
        if (command.isEmpty()) {
          f.get("run").problem("a non-empty list of strings: a command");
        } else {
          out.add(new HookSpec.Run(command, timeout));
        }
      } else {
        Duration timeout =
            f.get("timeout")
                .duration(Duration.ofMillis(1), Duration.ofHours(1), Duration.ofSeconds(10));
        YamlValue h = f.get("http");
        Fields hf = h.fields("a mapping with url (or path) and method", "url", "path", "method");
        String target;
        if (hf.has("url") == hf.has("path")) {
          h.problem(
              hf.has("url") ? "both url and path" : "neither url nor path",
              "url (any http URL) or path (requested from the new version)");
          continue;
        } else if (hf.has("url")) {
          URI uri = url(hf.get("url"));
          target = uri == null ? null : uri.toString();
        } else {
          target = hf.get("path").string((String) null, "a path starting with /");
          if (target != null && !target.startsWith("/")) {
            hf.get("path").problem("a path starting with /");
            target = null;
          }
        }
        YamlValue mv = hf.get("method");
        String method =
            mv.present()
                ? mv.string(METHODS, "GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS")
                : "GET";
        if (target != null && method != null) {
          out.add(new HookSpec.Http(target, method, timeout));
        }
      }
    }
    return out;
  }

  private static List<String> strings(YamlValue v, String expected) {
    List<String> out = new ArrayList<>();
    for (YamlValue item : v.items(expected)) {
      String s = item.isScalar() ? item.string((String) null, expected) : null;
      if (s == null) {
        item.problem("a string");
      } else {
        out.add(s);
      }
    }
    return out;
  }

  /** Problems that span apps: repeated names and addresses. */
  private static void crossCheck(List<YamlValue> items, Problems problems) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> addresses = new HashMap<>();
    for (YamlValue loud : items) {
      if (!loud.isMapping()) {
        continue;
      }
      YamlValue item = loud.quiet();
      Fields f = item.fields("");
      YamlValue name = f.get("name");
      String n = name.isScalar() ? name.string((String) null, "") : null;
      if (n != null) {
        String first = names.putIfAbsent(n, name.path());
        if (first != null) {
          problems.add(
              name.node(), name.path(), '"' + n + '"', "a name not used before (" + first + ")");
        }
      }
      List<YamlValue> addrs = new ArrayList<>();
      addrs.add(f.get("listen"));
      YamlValue strategy = f.get("strategy");
      if (strategy.isMapping()) {
        YamlValue bg = strategy.fields("").get("blueGreen");
        if (bg.isMapping()) {
          addrs.add(bg.fields("").get("previewListen"));
        }
      }
      for (YamlValue a : addrs) {
        HostPort hp = a.isScalar() ? HostPort.parse(a.string("", "")) : null;
        if (hp != null && hp.port() != 0) {
          String first = addresses.putIfAbsent(hp.toString(), a.path());
          if (first != null) {
            problems.add(
                a.node(), a.path(), "\"" + hp + "\"", "an address not used before (" + first + ")");
          }
        }
      }
    }
  }
}
