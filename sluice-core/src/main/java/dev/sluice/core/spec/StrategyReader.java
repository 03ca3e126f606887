package dev.sluice.core.spec;

import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.AnalysisSpecReader;
import dev.sluice.core.spec.internal.NodeJson;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads an app's {@code strategy}: blueGreen, canary, rolling, experiment or shadow. */
final class StrategyReader {
  private static final Duration MAX_DURATION = Duration.ofDays(7);

  private StrategyReader() {}

  static @Nullable StrategySpec strategy(YamlValue v) {
    return strategy(v, true);
  }

  /** A strategy; {@code nested} strategies (a shadow's {@code then}) may not be shadows. */
  private static @Nullable StrategySpec strategy(YamlValue v, boolean shadowAllowed) {
    String kinds =
        shadowAllowed
            ? "blueGreen, canary, rolling, experiment, shadow"
            : "blueGreen, canary, rolling, experiment";
    String one = "exactly one of: " + kinds;
    Fields f =
        shadowAllowed
            ? v.fields(
                "a mapping with one of: " + kinds,
                "blueGreen",
                "canary",
                "rolling",
                "experiment",
                "shadow")
            : v.fields(
                "a mapping with one of: " + kinds, "blueGreen", "canary", "rolling", "experiment");
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
    if (f.keys().contains("experiment")) {
      return experiment(f.get("experiment"));
    }
    if (f.keys().contains("shadow")) {
      return shadow(f.get("shadow"));
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
    URI url = SpecParser.url(gf.get("http"));
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

  private static StrategySpec.@Nullable Experiment experiment(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with variants, duration, analysis (and sticky, autoPromote,"
                + " scaleDownDelay)",
            "variants",
            "sticky",
            "duration",
            "analysis",
            "autoPromote",
            "scaleDownDelay");
    List<StrategySpec.Experiment.Arm> arms = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    YamlValue variants = f.get("variants");
    for (YamlValue item : variants.items("a list of {version: V, weight: N}")) {
      Fields af = item.fields("an arm: {version: V, weight: N}", "version", "weight");
      String version =
          af.get("version").string(SpecParser.VERSION_NAME, SpecParser.VERSION_EXPECTED);
      Integer weight = af.get("weight").integer(0, 100, null);
      if (version != null && !seen.add(version)) {
        af.get("version").problem('"' + version + '"', "a version not named before in variants");
      }
      if (version != null && weight != null) {
        arms.add(new StrategySpec.Experiment.Arm(version, weight));
      }
    }
    if (arms.size() < 2 && (variants.isSequence() || !variants.present())) {
      variants.problem(
          variants.present() ? arms.size() + " variants" : "missing",
          "a list of at least two variants, {version: V, weight: N} each");
    }
    int total = arms.stream().mapToInt(StrategySpec.Experiment.Arm::weight).sum();
    if (arms.size() >= 2 && total != 100) {
      variants.problem("weights adding up to " + total, "weights that add up to 100");
    }
    RoutingSpec.Sticky sticky =
        f.get("sticky").present() ? RoutingReader.sticky(f.get("sticky")) : null;
    Duration duration = f.get("duration").duration(Duration.ofSeconds(1), MAX_DURATION, null);
    YamlValue a = f.get("analysis");
    AnalysisSpec analysis = a.present() ? AnalysisSpecReader.read(a) : null;
    if (!a.present()) {
      a.problem("an analysis with the metrics to compare the arms on");
    }
    YamlValue auto = f.get("autoPromote");
    String autoPromote =
        auto.present() ? auto.string(Pattern.compile("winner|off"), "winner or off") : "off";
    Duration delay =
        f.get("scaleDownDelay").duration(Duration.ZERO, MAX_DURATION, Duration.ofSeconds(30));
    if (duration == null || analysis == null || autoPromote == null || arms.size() < 2) {
      return null;
    }
    return new StrategySpec.Experiment(
        arms, sticky, duration, analysis, autoPromote.equals("winner"), delay);
  }

  private static StrategySpec.@Nullable Shadow shadow(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with percent, timeout, maxBodyBytes, mirrorUnsafe, compare, analysis,"
                + " autoPromote, then",
            "percent",
            "timeout",
            "maxBodyBytes",
            "mirrorUnsafe",
            "compare",
            "analysis",
            "autoPromote",
            "then");
    Integer percent = f.get("percent").integer(1, 100, 100);
    Duration timeout =
        f.get("timeout")
            .duration(Duration.ofMillis(10), Duration.ofMinutes(5), Duration.ofSeconds(5));
    Integer maxBody = f.get("maxBodyBytes").integer(0, 64 * 1024 * 1024, 64 * 1024);
    boolean unsafe = f.get("mirrorUnsafe").bool(false);
    StrategySpec.Shadow.Compare compare =
        f.get("compare").present() ? compare(f.get("compare")) : null;
    AnalysisSpec analysis =
        f.get("analysis").present() ? AnalysisSpecReader.read(f.get("analysis")) : null;
    boolean auto = f.get("autoPromote").bool(false);
    YamlValue thenValue = f.get("then");
    StrategySpec then;
    String thenSnapshot;
    if (thenValue.present()) {
      then = strategy(thenValue, false);
      thenSnapshot = thenValue.node() == null ? "{}" : NodeJson.write(thenValue.node());
    } else {
      then = StrategySpec.BlueGreen.defaults();
      thenSnapshot = "{\"blueGreen\":{}}";
    }
    if (percent == null || timeout == null || maxBody == null || then == null) {
      return null;
    }
    return new StrategySpec.Shadow(
        percent, timeout, maxBody, unsafe, compare, analysis, auto, then, thenSnapshot);
  }

  private static StrategySpec.Shadow.@Nullable Compare compare(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with status, headers, body, ignore", "status", "headers", "body", "ignore");
    boolean status = f.get("status").bool(true);
    List<String> headers = new ArrayList<>();
    for (YamlValue h : f.get("headers").items("a list of header names")) {
      String name = h.string(Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+"), "a header name");
      if (name != null) {
        headers.add(name);
      }
    }
    YamlValue b = f.get("body");
    String body =
        b.present() ? b.string(Pattern.compile("none|exact|json"), "none, exact or json") : "exact";
    List<String> ignore = new ArrayList<>();
    for (YamlValue p : f.get("ignore").items("a list of JSON pointers like /timestamp")) {
      String pointer =
          p.string(Pattern.compile("(/([^~]|~[01])*)+"), "a JSON pointer like /meta/timestamp");
      if (pointer != null) {
        ignore.add(pointer);
      }
    }
    if (!ignore.isEmpty() && "exact".equals(body)) {
      f.get("ignore")
          .problem("ignore with body: exact", "body: json, so that JSON pointers mean something");
    }
    return body == null ? null : new StrategySpec.Shadow.Compare(status, headers, body, ignore);
  }
}
