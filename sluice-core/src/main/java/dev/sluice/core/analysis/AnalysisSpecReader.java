package dev.sluice.core.analysis;

import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The reader of a spec's {@code analysis} blocks, which reports one problem per mistake (with file,
 * line and column, through the spec's problem list) and filling in the defaults.
 *
 * <pre>{@code
 * analysis:
 *   interval: 1s
 *   count: 30                 # optional: without it the strategy stops the run
 *   initialDelay: 5s
 *   window: 10s               # default: the interval
 *   failureLimit: 1
 *   consecutiveErrorLimit: 4
 *   inconclusiveLimit: 3      # default: no limit
 *   minRequests: 20
 *   confidence: 0.98
 *   thresholds: {pass: 75, marginal: 50}
 *   metrics:
 *     - {name: errors, builtin: error_rate, max: 0.05, critical: true}
 *     - {name: p99, builtin: latency_p99, maxRatioToBaseline: 1.5}
 *     - {name: prom, prometheus: {address: "http://127.0.0.1:9090", query: "..."}, max: 0.01}
 *     - {name: queue, http: {url: "http://...", jsonPointer: /queue/depth}, max: 100}
 *     - {name: smoke, command: {run: ["./check.sh"], timeout: 10s}}
 * }</pre>
 */
public final class AnalysisSpecReader {
  /** Metric names: what fits in a label or a file name. */
  public static final Pattern METRIC_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  static final String METRIC_NAME_EXPECTED =
      "a metric name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most"
          + " 63";

  private static final List<String> PROVIDERS = List.of("builtin", "prometheus", "http", "command");
  private static final Pattern NON_BLANK = Pattern.compile("(?s).*\\S.*");
  private static final Pattern JSON_POINTER = Pattern.compile("(/([^~]|~[01])*)*");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private AnalysisSpecReader() {}

  /**
   * Reads an analysis block. Problems go to {@code v.problems()}; the result is null when any was
   * found in this block.
   */
  public static @Nullable AnalysisSpec read(YamlValue v) {
    int known = v.problems().list().size();
    Fields f =
        v.fields(
            "an analysis: a mapping with metrics (and interval, count, initialDelay, window,"
                + " failureLimit, consecutiveErrorLimit, inconclusiveLimit, minRequests,"
                + " confidence, thresholds)",
            "interval",
            "count",
            "initialDelay",
            "window",
            "failureLimit",
            "consecutiveErrorLimit",
            "inconclusiveLimit",
            "minRequests",
            "confidence",
            "thresholds",
            "metrics");
    Duration interval =
        f.get("interval")
            .duration(Duration.ofSeconds(1), Duration.ofHours(1), AnalysisSpec.DEFAULT_INTERVAL);
    Integer count = f.has("count") ? f.get("count").integer(1, 1_000_000, null) : null;
    Duration initialDelay =
        f.get("initialDelay").duration(Duration.ZERO, Duration.ofHours(1), Duration.ZERO);
    Duration window =
        f.get("window")
            .duration(
                Duration.ofSeconds(1),
                AnalysisSpec.MAX_WINDOW,
                interval.compareTo(AnalysisSpec.MAX_WINDOW) > 0
                    ? AnalysisSpec.MAX_WINDOW
                    : interval);
    int failureLimit = f.get("failureLimit").integer(0, 1000, 0);
    int errorLimit =
        f.get("consecutiveErrorLimit")
            .integer(0, 1000, AnalysisSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    Integer inconclusiveLimit =
        f.has("inconclusiveLimit") ? f.get("inconclusiveLimit").integer(0, 1000, null) : null;
    int minRequests =
        f.get("minRequests").integer(0, 1_000_000_000, (int) AnalysisSpec.DEFAULT_MIN_REQUESTS);
    double confidence =
        f.get("confidence").number(0.5, 0.9999, MannWhitneyJudge.DEFAULT_CONFIDENCE);

    YamlValue thresholds = f.get("thresholds");
    Fields tf = thresholds.fields("a mapping with pass and marginal", "pass", "marginal");
    double pass = tf.get("pass").number(0, 100, AnalysisSpec.DEFAULT_PASS_SCORE);
    double marginal = tf.get("marginal").number(0, 100, AnalysisSpec.DEFAULT_MARGINAL_SCORE);
    if (marginal > pass) {
      YamlValue at = tf.has("marginal") ? tf.get("marginal") : thresholds;
      at.problem(
          tf.has("marginal") ? at.describe() : "default marginal " + trim(marginal),
          "at most the pass score " + trim(pass));
    }

    YamlValue mv = f.get("metrics");
    List<YamlValue> items = mv.items("a list of metrics");
    if (!mv.present() || mv.isSequence() && items.isEmpty()) {
      mv.problem("a list of at least one metric");
    }
    List<MetricSpec> metrics = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (YamlValue item : items) {
      MetricSpec m = metric(item, names);
      if (m != null) {
        metrics.add(m);
      }
    }
    if (v.problems().list().size() > known || !v.present()) {
      return null;
    }
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        errorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        pass,
        marginal,
        metrics);
  }

  private static @Nullable MetricSpec metric(YamlValue item, Map<String, String> names) {
    int known = item.problems().list().size();
    Fields f =
        item.fields(
            "a metric: a mapping with name, one of builtin, prometheus, http, command, and its"
                + " conditions",
            "name",
            "builtin",
            "prometheus",
            "http",
            "command",
            "max",
            "min",
            "maxRatioToBaseline",
            "maxIncrease",
            "weight",
            "critical",
            "judge",
            "effectSize");
    YamlValue nameValue = f.get("name");
    String name = nameValue.string(METRIC_NAME, METRIC_NAME_EXPECTED);
    if (name != null) {
      String first = names.putIfAbsent(name, nameValue.path());
      if (first != null) {
        nameValue.problem('"' + name + '"', "a name not used before (" + first + ")");
      }
    }
    List<String> given = new ArrayList<>();
    for (String p : PROVIDERS) {
      if (f.has(p)) {
        given.add(p);
      }
    }
    if (given.size() != 1) {
      if (item.isMapping()) {
        item.problem(
            given.isEmpty() ? "no provider" : String.join(" and ", given),
            "exactly one of: builtin, prometheus, http, command");
      }
      return null;
    }
    String kind = given.get(0);
    MetricSpec.Provider provider =
        switch (kind) {
          case "builtin" -> builtin(f.get(kind));
          case "prometheus" -> prometheus(f.get(kind));
          case "http" -> http(f.get(kind));
          default -> command(f.get(kind));
        };
    if (provider == null) {
      return null;
    }
    MetricSpec.Conditions conditions = conditions(f, provider);
    boolean samples = provider instanceof MetricSpec.Builtin b && b.metric().hasSamples();
    YamlValue judgeValue = f.get("judge");
    boolean judge = judgeValue.bool(samples);
    if (judge && !samples) {
      judgeValue.problem(
          "false: only builtin error_rate and latency metrics have per-request samples to judge");
      judge = false;
    }
    YamlValue effectValue = f.get("effectSize");
    double effect = MetricSpec.defaultEffect(provider);
    if (effectValue.present()) {
      if (!judge) {
        effectValue.problem("no effectSize: it bounds the judge, which does not run here");
      } else {
        effect = effectValue.number(0, 0.5, effect);
      }
    }
    double weight = f.get("weight").number(0, 1000, 1.0);
    boolean critical = f.get("critical").bool(false);
    boolean anyCondition =
        f.has("max") || f.has("min") || f.has("maxRatioToBaseline") || f.has("maxIncrease");
    if (!anyCondition && !judge && !(provider instanceof MetricSpec.Command)) {
      item.problem(
          "nothing to check",
          "at least one of max, min, maxRatioToBaseline, maxIncrease"
              + (samples ? " (or judge: true)" : ""));
    }
    if (item.problems().list().size() > known || name == null) {
      return null;
    }
    return new MetricSpec(name, provider, conditions, weight, critical, judge, effect);
  }

  private static MetricSpec.@Nullable Provider builtin(YamlValue v) {
    String expected = "one of " + String.join(", ", BuiltinMetric.specNames());
    String text = v.isScalar() ? v.string((String) null, expected) : null;
    BuiltinMetric metric = text == null ? null : BuiltinMetric.bySpecName(text);
    if (metric == null) {
      v.problem(expected);
      return null;
    }
    return new MetricSpec.Builtin(metric);
  }

  private static MetricSpec.@Nullable Provider prometheus(YamlValue v) {
    Fields f =
        v.fields("a mapping with address and query (and timeout)", "address", "query", "timeout");
    String address = httpUrl(f.get("address"), "an http URL like http://127.0.0.1:9090");
    YamlValue queryValue = f.get("query");
    String query = queryValue.string(NON_BLANK, "a PromQL query");
    if (query != null) {
      placeholders(queryValue, query);
    }
    Duration timeout = timeout(f.get("timeout"));
    if (address == null || query == null) {
      return null;
    }
    return new MetricSpec.Prometheus(stripSlash(address), query, timeout);
  }

  private static MetricSpec.@Nullable Provider http(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with url and jsonPointer (and headers, timeout)",
            "url",
            "jsonPointer",
            "headers",
            "timeout");
    YamlValue urlValue = f.get("url");
    String url = httpUrl(urlValue, "an http URL like http://127.0.0.1:9000/stats");
    if (url != null) {
      placeholders(urlValue, url);
    }
    String pointer =
        f.get("jsonPointer").string(JSON_POINTER, "a JSON pointer like /queue/depth (RFC 6901)");
    Map<String, String> headers = new LinkedHashMap<>();
    f.get("headers")
        .fields("a mapping of header names to strings")
        .all()
        .forEach(
            (k, h) -> {
              if (!HEADER_NAME.matcher(k).matches()) {
                h.problem('"' + k + '"', "a header name");
              }
              String s = h.isScalar() ? h.string((String) null, "a string") : null;
              if (s == null) {
                h.problem("a string");
              } else {
                headers.put(k, s);
              }
            });
    Duration timeout = timeout(f.get("timeout"));
    if (url == null || pointer == null) {
      return null;
    }
    return new MetricSpec.Http(url, pointer, headers, timeout);
  }

  private static MetricSpec.@Nullable Provider command(YamlValue v) {
    Fields f = v.fields("a mapping with run (and timeout)", "run", "timeout");
    YamlValue run = f.get("run");
    String expected = "a non-empty list of strings: a command";
    List<String> command = new ArrayList<>();
    for (YamlValue item : run.items(expected)) {
      String s = item.isScalar() ? item.string((String) null, expected) : null;
      if (s == null) {
        item.problem("a string");
      } else {
        command.add(s);
      }
    }
    if (command.isEmpty() && (run.isSequence() || !run.present())) {
      run.problem(expected);
    }
    Duration timeout =
        f.get("timeout")
            .duration(Duration.ofMillis(1), Duration.ofHours(1), Duration.ofSeconds(10));
    return command.isEmpty() ? null : new MetricSpec.Command(command, timeout);
  }

  private static MetricSpec.Conditions conditions(Fields f, MetricSpec.Provider provider) {
    BuiltinMetric builtin = provider instanceof MetricSpec.Builtin b ? b.metric() : null;
    Double max = limit(f.get("max"), builtin, false);
    Double min = limit(f.get("min"), builtin, false);
    Double ratio = null;
    YamlValue rv = f.get("maxRatioToBaseline");
    if (rv.present()) {
      Double r = rv.quiet().number(0, 1e6, null);
      if (r == null || r <= 0) {
        rv.problem("a ratio greater than 0, e.g. 1.5");
      } else if (baselineAllowed(rv, provider)) {
        ratio = r;
      }
    }
    Double increase = null;
    YamlValue iv = f.get("maxIncrease");
    if (iv.present()) {
      Double inc = limit(iv, builtin, true);
      if (inc != null && baselineAllowed(iv, provider)) {
        increase = inc;
      }
    }
    return new MetricSpec.Conditions(max, min, ratio, increase);
  }

  /** A max, min or maxIncrease in the metric's unit; null (and a problem) when it does not fit. */
  private static @Nullable Double limit(
      YamlValue v, @Nullable BuiltinMetric builtin, boolean increase) {
    if (!v.present()) {
      return null;
    }
    if (builtin != null && builtin.isLatency()) {
      String text = v.isScalar() ? v.quiet().string((String) null, "") : null;
      Duration d = text == null ? null : Durations.parse(text);
      if (d != null) {
        return d.toNanos() / 1e6;
      }
      Double ms = v.quiet().number(0, Double.MAX_VALUE, null);
      if (ms == null) {
        v.problem("milliseconds (a number 0 or more) or a duration like 300ms or 1s");
      }
      return ms;
    }
    if (builtin == BuiltinMetric.ERROR_RATE) {
      Double share = v.quiet().number(0, 1, null);
      if (share == null) {
        v.problem("a share of requests 0..1, e.g. 0.05 for 5%");
      }
      return share;
    }
    double lowest = increase || builtin != null ? 0 : -Double.MAX_VALUE;
    Double n = v.quiet().number(lowest, Double.MAX_VALUE, null);
    if (n == null || n.isInfinite()) {
      v.problem(lowest == 0 ? "a number 0 or more" : "a number");
      return null;
    }
    return n;
  }

  /** Whether a baseline condition can be measured for this provider; a problem when not. */
  private static boolean baselineAllowed(YamlValue v, MetricSpec.Provider provider) {
    String expected = null;
    if (provider instanceof MetricSpec.Builtin b && b.metric() == BuiltinMetric.REQUEST_RATE) {
      expected =
          "no baseline comparison for request_rate, which follows the traffic split; use min";
    } else if (provider instanceof MetricSpec.Prometheus p
        && !Placeholders.uses(p.query(), "version")) {
      expected = "a query with {{version}}, so the same query can measure the baseline";
    } else if (provider instanceof MetricSpec.Http h && !Placeholders.uses(h.url(), "version")) {
      expected = "a url with {{version}}, so the same request can measure the baseline";
    } else if (provider instanceof MetricSpec.Command) {
      expected = "no baseline comparison for a command; use max or min";
    }
    if (expected != null) {
      v.problem(expected);
      return false;
    }
    return true;
  }

  private static void placeholders(YamlValue v, String template) {
    for (String p : Placeholders.unknown(template)) {
      v.problem(
          '"' + p + '"',
          "placeholders among "
              + String.join(", ", Placeholders.NAMES.stream().map(n -> "{{" + n + "}}").toList()));
    }
  }

  private static @Nullable String httpUrl(YamlValue v, String expected) {
    String text = v.isScalar() ? v.string((String) null, expected) : null;
    if (text == null) {
      v.problem(expected);
      return null;
    }
    String probe = text.replaceAll("\\{\\{[^{}]*}}", "x");
    try {
      URI uri = new URI(probe);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        v.problem(expected);
        return null;
      }
    } catch (URISyntaxException e) {
      v.problem(expected);
      return null;
    }
    return text;
  }

  private static Duration timeout(YamlValue v) {
    return v.duration(Duration.ofMillis(1), Duration.ofMinutes(5), Duration.ofSeconds(5));
  }

  private static String stripSlash(String address) {
    return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
