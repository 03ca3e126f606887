package dev.sluice.core.spec;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
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

  /**
   * An app's snapshot with its {@code strategy} replaced by another (given as JSON): how a shadow
   * release continues as a canary with the same spec otherwise.
   *
   * @throws SpecException when the result is not a valid app
   */
  public static String withStrategy(String snapshot, String strategyJson) throws SpecException {
    Problems problems = new Problems("release snapshot");
    Node app = compose(snapshot, problems);
    Node strategy = compose(strategyJson, problems);
    problems.throwIfAny();
    if (!(app instanceof MappingNode m) || strategy == null) {
      problems.add(null, "", "not an app", "an app spec with a strategy");
      problems.throwIfAny();
      throw new IllegalStateException("unreachable");
    }
    List<NodeTuple> tuples = new ArrayList<>();
    boolean replaced = false;
    for (NodeTuple t : m.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("strategy")) {
        tuples.add(new NodeTuple(t.getKeyNode(), strategy));
        replaced = true;
      } else {
        tuples.add(t);
      }
    }
    if (!replaced) {
      tuples.add(
          new NodeTuple(
              new ScalarNode(
                  org.snakeyaml.engine.v2.nodes.Tag.STR,
                  "strategy",
                  org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN),
              strategy));
    }
    m.setValue(tuples);
    String json = NodeJson.write(m);
    parseSnapshot(json);
    return json;
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
      if (node.isPresent() && complexKeys(node.get(), "", problems, new HashSet<>())) {
        // Parts of a spec are kept as JSON (snapshots, pod templates): every key must be text.
        return null;
      }
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

  /** Reports every mapping key that is not a scalar (YAML's {@code ? key}); true if any. */
  private static boolean complexKeys(Node node, String path, Problems problems, Set<Node> seen) {
    if (!seen.add(node)) {
      return false;
    }
    boolean found = false;
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          String child = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
          found |= complexKeys(t.getValueNode(), child, problems, seen);
        } else {
          problems.add(t.getKeyNode(), path, "a non-scalar key", "field names");
          found = true;
        }
      }
    } else if (node instanceof SequenceNode q) {
      for (int i = 0; i < q.getValue().size(); i++) {
        found |= complexKeys(q.getValue().get(i), path + "[" + i + "]", problems, seen);
      }
    }
    return found;
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
            "upstream",
            "progressDeadline",
            "revisionHistoryLimit",
            "strategy",
            "hooks",
            "notifications",
            "routing",
            "hosts",
            "pathPrefix",
            "edgeFlags",
            "tls",
            "http2",
            "upstreamProtocol");
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
    UpstreamSpec upstream =
        f.get("upstream").map(UpstreamReader::upstream, UpstreamSpec.defaults());
    Duration deadline =
        f.get("progressDeadline")
            .duration(Duration.ofSeconds(1), MAX_DURATION, Duration.ofMinutes(10));
    Integer history = f.get("revisionHistoryLimit").integer(1, 1000, 10);
    StrategySpec strategy =
        f.get("strategy").map(SpecParser::strategy, StrategySpec.BlueGreen.defaults());
    HooksSpec hooks = f.get("hooks").map(SpecParser::hooks, HooksSpec.none());
    List<NotificationSpec> notifications = notifications(f.get("notifications"));
    RoutingSpec routing = f.get("routing").map(RoutingReader::routing, RoutingSpec.none());
    List<String> hosts = new ArrayList<>();
    for (YamlValue h : f.get("hosts").items("a list of host names")) {
      String host =
          h.string(
              Pattern.compile("[A-Za-z0-9*][A-Za-z0-9.-]*"), "a host name like shop.example.com");
      if (host != null) {
        hosts.add(host.toLowerCase(java.util.Locale.ROOT));
      }
    }
    String pathPrefix =
        f.get("pathPrefix").present()
            ? f.get("pathPrefix").string(Pattern.compile("/.*"), "a path prefix starting with /")
            : null;
    EdgeFlagsSpec edgeFlags =
        f.get("edgeFlags").present() ? EdgeFlagsReader.read(f.get("edgeFlags")) : null;
    if (edgeFlags != null && runtime instanceof RuntimeSpec.Kubernetes) {
      // On Kubernetes requests go through the cluster's gateway or mesh, not Sluice's router.
      f.get("edgeFlags")
          .problem(
              "edgeFlags on a kubernetes runtime",
              "edgeFlags only on process and static runtimes, whose traffic Sluice's router carries");
      edgeFlags = null;
    }
    ProtocolSpec protocols = ProtocolReader.protocols(f);
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
        upstream,
        deadline,
        history,
        strategy,
        hooks,
        notifications,
        routing,
        hosts,
        pathPrefix,
        protocols,
        NodeJson.write(v.node()),
        edgeFlags);
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

  static @Nullable URI url(YamlValue u) {
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
    Fields f =
        v.fields(
            "a mapping with connect, request, idle, drain, tunnelIdle",
            "connect",
            "request",
            "idle",
            "drain",
            "tunnelIdle");
    Duration max = Duration.ofHours(1);
    Duration min = Duration.ofMillis(1);
    return new TimeoutSpec(
        f.get("connect").duration(min, max, d.connect()),
        f.get("request").duration(min, max, d.request()),
        f.get("idle").duration(min, max, d.idle()),
        f.get("drain").duration(min, max, d.drain()),
        f.get("tunnelIdle").duration(Duration.ofSeconds(1), Duration.ofDays(1), d.tunnelIdle()));
  }

  private static @Nullable StrategySpec strategy(YamlValue v) {
    return StrategyReader.strategy(v);
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

  private static String protocolFields(Fields f) {
    YamlValue tls = f.get("tls");
    return "tls "
        + (tls.node() == null ? "none" : NodeJson.write(tls.node()))
        + ", http2 "
        + f.get("http2").string("false", "")
        + ", upstreamProtocol "
        + f.get("upstreamProtocol").string("http1", "");
  }

  /** Problems that span apps: repeated names and addresses. */
  private static void crossCheck(List<YamlValue> items, Problems problems) {
    Map<String, String> names = new HashMap<>();
    Map<String, String> previews = new HashMap<>();
    Map<String, Map<String, String>> mounts = new HashMap<>(); // address -> route -> app path
    Map<String, String> bare = new HashMap<>(); // address -> an app on it with no hosts/prefix
    Map<String, String[]> protocols = new HashMap<>(); // address -> {protocol fields, app path}
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
      YamlValue strategy = f.get("strategy");
      if (strategy.isMapping()) {
        YamlValue bg = strategy.fields("").get("blueGreen");
        if (bg.isMapping()) {
          YamlValue a = bg.fields("").get("previewListen");
          HostPort hp = a.isScalar() ? HostPort.parse(a.string("", "")) : null;
          if (hp != null && hp.port() != 0) {
            String first = previews.putIfAbsent(hp.toString(), a.path());
            if (first != null || mounts.containsKey(hp.toString())) {
              problems.add(
                  a.node(),
                  a.path(),
                  "\"" + hp + "\"",
                  "an address no other listener uses ("
                      + (first != null ? first : "an app's listen")
                      + ")");
            }
          }
        }
      }
      YamlValue listen = f.get("listen");
      HostPort hp = listen.isScalar() ? HostPort.parse(listen.string("", "")) : null;
      if (hp == null || hp.port() == 0) {
        continue;
      }
      String address = hp.toString();
      if (previews.containsKey(address)) {
        problems.add(
            listen.node(),
            listen.path(),
            "\"" + hp + "\"",
            "an address no preview uses (" + previews.get(address) + ")");
        continue;
      }
      // One listener serves every app on an address: its protocol fields must agree.
      String proto = protocolFields(f);
      String[] firstProto = protocols.putIfAbsent(address, new String[] {proto, listen.path()});
      if (firstProto != null && !firstProto[0].equals(proto)) {
        problems.add(
            listen.node(),
            listen.path(),
            "\"" + hp + "\" with " + proto,
            "the same tls, http2 and upstreamProtocol as the other apps on this address ("
                + firstProto[1]
                + ": "
                + firstProto[0]
                + ")");
      }
      List<String> hosts = new ArrayList<>();
      for (YamlValue h : f.get("hosts").items("")) {
        String host = h.isScalar() ? h.string("", "") : null;
        if (host != null) {
          hosts.add(host.toLowerCase(java.util.Locale.ROOT));
        }
      }
      YamlValue prefixValue = f.get("pathPrefix");
      String prefix = prefixValue.isScalar() ? prefixValue.string("/", "") : null;
      Map<String, String> routes = mounts.computeIfAbsent(address, k -> new HashMap<>());
      String shared =
          "an address not used before, or hosts or pathPrefix on every app that shares it";
      if (hosts.isEmpty() && prefix == null) {
        if (!routes.isEmpty()) {
          problems.add(
              listen.node(),
              listen.path(),
              "\"" + hp + "\"",
              shared + " (" + routes.values().iterator().next() + ")");
        }
        bare.putIfAbsent(address, listen.path());
        routes.put("*|/", listen.path());
        continue;
      }
      if (bare.containsKey(address)) {
        problems.add(
            listen.node(),
            listen.path(),
            "\"" + hp + "\"",
            shared + " (" + bare.get(address) + ")");
        continue;
      }
      for (String host : hosts.isEmpty() ? List.of("*") : hosts) {
        String route = host + "|" + (prefix == null ? "/" : prefix);
        String first = routes.putIfAbsent(route, listen.path());
        if (first != null) {
          problems.add(
              listen.node(),
              listen.path(),
              "\""
                  + hp
                  + "\" with host "
                  + host
                  + " and pathPrefix "
                  + (prefix == null ? "/" : prefix),
              "a host and path prefix no other app on this address has (" + first + ")");
        }
      }
    }
  }
}
