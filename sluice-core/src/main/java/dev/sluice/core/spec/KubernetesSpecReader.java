package dev.sluice.core.spec;

import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.spec.internal.NodeJson;
import dev.sluice.core.spec.internal.YamlValue;
import dev.sluice.core.spec.internal.YamlValue.Fields;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads {@code runtime.kubernetes} of an app and checks what a Kubernetes app may not use: a
 * traffic router that cannot carry its strategy, metrics only Sluice's own router records, a {@code
 * previewListen} address.
 *
 * <pre>{@code
 * runtime:
 *   kubernetes:
 *     namespace: shop
 *     replicas: 3
 *     deploymentTemplate: {spec: {containers: [{name: shop, image: "acme/shop:${version}"}]}}
 *     traffic:
 *       gatewayApi: {httpRoute: shop, stableService: shop-stable, canaryService: shop-canary}
 * }</pre>
 */
final class KubernetesSpecReader {
  /** A DNS-1123 label: what names a namespace, and (starting with a letter) a Service. */
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private static final String LABEL_EXPECTED =
      "a DNS label: lower-case letters, digits and '-', at most 63";
  private static final Pattern SERVICE = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final String SERVICE_EXPECTED =
      "a Service name: lower-case letters, digits and '-', starting with a letter, at most 63";

  /** A DNS-1123 subdomain: what names a Deployment, an HTTPRoute or a VirtualService. */
  private static final Pattern OBJECT =
      Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private static final String OBJECT_EXPECTED =
      "a Kubernetes object name: lower-case letters, digits, '-' and '.'";
  private static final Pattern NON_EMPTY = Pattern.compile("(?s).+");

  private KubernetesSpecReader() {}

  /** True when the runtime mapping as written names {@code kubernetes} (even with problems). */
  static boolean isKubernetes(YamlValue runtime) {
    return runtime.isMapping() && runtime.quiet().fields("").has("kubernetes");
  }

  /** Reads {@code runtime.kubernetes}; null when it has problems (they are recorded). */
  static RuntimeSpec.@Nullable Kubernetes read(YamlValue v) {
    Fields f =
        v.fields(
            "a mapping with namespace, replicas, deploymentTemplate or workloadRef, traffic, port,"
                + " targetPort",
            "namespace",
            "replicas",
            "deploymentTemplate",
            "workloadRef",
            "traffic",
            "port",
            "targetPort");
    String namespace =
        f.get("namespace").present()
            ? f.get("namespace").string(LABEL, "a namespace: " + LABEL_EXPECTED)
            : "default";
    Integer replicas = f.get("replicas").integer(1, 1000, 1);
    Integer port = f.get("port").integer(1, 65535, 80);
    Integer targetPort =
        f.get("targetPort").present() ? f.get("targetPort").integer(1, 65535, null) : null;
    String template = null;
    String workloadRef = null;
    boolean hasTemplate = f.has("deploymentTemplate");
    if (hasTemplate == f.has("workloadRef")) {
      v.problem(
          hasTemplate
              ? "both deploymentTemplate and workloadRef"
              : "neither deploymentTemplate" + " nor workloadRef",
          "exactly one of: deploymentTemplate (a pod template), workloadRef (a Deployment to copy)");
    } else if (hasTemplate) {
      template = template(f.get("deploymentTemplate"));
    } else {
      YamlValue ref = f.get("workloadRef");
      Fields rf =
          ref.fields(
              "a mapping with name (and apiVersion apps/v1, kind Deployment)",
              "name",
              "kind",
              "apiVersion");
      workloadRef = rf.get("name").string(OBJECT, "a Deployment's name: " + OBJECT_EXPECTED);
      if (rf.get("kind").present()) {
        rf.get("kind").string(Pattern.compile("Deployment"), "Deployment");
      }
      if (rf.get("apiVersion").present()) {
        rf.get("apiVersion").string(Pattern.compile("apps/v1"), "apps/v1");
      }
    }
    KubernetesTraffic traffic = traffic(f.get("traffic"));
    if (namespace == null
        || traffic == null
        || (template == null && workloadRef == null)
        || replicas == null
        || port == null) {
      return null;
    }
    return new RuntimeSpec.Kubernetes(
        namespace, replicas, template, workloadRef, traffic, port, targetPort);
  }

  /** The pod template as JSON, after checking its shape (Kubernetes checks the rest). */
  private static @Nullable String template(YamlValue v) {
    String expected = "a pod template: {metadata: {labels: ...}, spec: {containers: [...]}}";
    Fields f = v.fields(expected, "metadata", "spec");
    Fields meta = f.get("metadata").fields("a mapping with labels, annotations");
    for (String key : meta.keys()) {
      if (!key.equals("labels") && !key.equals("annotations")) {
        meta.get(key)
            .problem("a field Sluice sets itself", "only labels and annotations in metadata");
      }
    }
    for (String key : List.of("labels", "annotations")) {
      meta.get(key)
          .fields("a mapping of names to strings")
          .all()
          .forEach((k, s) -> s.string((String) null, "a string"));
    }
    Fields spec = f.get("spec").fields("a pod spec: a mapping with containers");
    YamlValue containers = spec.get("containers");
    List<YamlValue> items = containers.items("a list of containers");
    if (items.isEmpty()) {
      containers.problem("a non-empty list of containers, each with name and image");
    }
    for (YamlValue c : items) {
      Fields cf = c.fields("a container: a mapping with name and image");
      cf.get("name").string(SERVICE, "a container name: " + SERVICE_EXPECTED);
      cf.get("image").string(NON_EMPTY, "an image, e.g. ghcr.io/acme/shop:${version}");
    }
    return v.node() == null ? null : NodeJson.write(v.node());
  }

  private static @Nullable KubernetesTraffic traffic(YamlValue v) {
    String one = "exactly one of: service, gatewayApi, istio, replicas";
    Fields f =
        v.fields(
            "a mapping with one of: service, gatewayApi, istio, replicas",
            "service",
            "gatewayApi",
            "istio",
            "replicas");
    if (!v.present() || f.keys().size() != 1) {
      if (v.isMapping() || !v.present()) {
        v.problem(
            !v.present() ? "missing" : f.keys().isEmpty() ? "no traffic router" : "several", one);
      }
      return null;
    }
    if (f.has("service")) {
      Fields s = f.get("service").fields("a mapping with name, previewName", "name", "previewName");
      String name = s.get("name").string(SERVICE, SERVICE_EXPECTED);
      String preview =
          s.get("previewName").present()
              ? s.get("previewName").string(SERVICE, SERVICE_EXPECTED)
              : null;
      return name == null ? null : new KubernetesTraffic.Service(name, preview);
    }
    if (f.has("gatewayApi")) {
      Fields g =
          f.get("gatewayApi")
              .fields(
                  "a mapping with httpRoute, stableService, canaryService, match",
                  "httpRoute",
                  "stableService",
                  "canaryService",
                  "match");
      String route = g.get("httpRoute").string(OBJECT, "an HTTPRoute's name: " + OBJECT_EXPECTED);
      String stable = g.get("stableService").string(SERVICE, SERVICE_EXPECTED);
      String canary = g.get("canaryService").string(SERVICE, SERVICE_EXPECTED);
      List<KubernetesTraffic.Match> match = matches(g.get("match"));
      if (stable != null && stable.equals(canary)) {
        g.get("canaryService").problem("a Service other than stableService");
        return null;
      }
      return route == null || stable == null || canary == null
          ? null
          : new KubernetesTraffic.GatewayApi(route, stable, canary, match);
    }
    if (f.has("istio")) {
      Fields i =
          f.get("istio")
              .fields(
                  "a mapping with virtualService, route, stableHost, canaryHost, match, mirror",
                  "virtualService",
                  "route",
                  "stableHost",
                  "canaryHost",
                  "match",
                  "mirror");
      String vs =
          i.get("virtualService").string(OBJECT, "a VirtualService's name: " + OBJECT_EXPECTED);
      String route =
          i.get("route").present()
              ? i.get("route").string(NON_EMPTY, "the name of an HTTP route of the VirtualService")
              : null;
      String stable = i.get("stableHost").string(SERVICE, SERVICE_EXPECTED);
      String canary = i.get("canaryHost").string(SERVICE, SERVICE_EXPECTED);
      List<KubernetesTraffic.Match> match = matches(i.get("match"));
      Fields mirror = i.get("mirror").fields("a mapping with percent", "percent");
      Integer percent =
          i.get("mirror").present()
              ? mirror.get("percent").integer(1, 100, 100)
              : Integer.valueOf(0);
      if (stable != null && stable.equals(canary)) {
        i.get("canaryHost").problem("a Service other than stableHost");
        return null;
      }
      return vs == null || stable == null || canary == null || percent == null
          ? null
          : new KubernetesTraffic.Istio(vs, route, stable, canary, match, percent);
    }
    Fields r = f.get("replicas").fields("a mapping with service", "service");
    String service = r.get("service").string(SERVICE, SERVICE_EXPECTED);
    return service == null ? null : new KubernetesTraffic.Replicas(service);
  }

  private static List<KubernetesTraffic.Match> matches(YamlValue v) {
    String expected = "a match: {header: {name, value}} or {cookie: {name, value}}";
    List<KubernetesTraffic.Match> out = new ArrayList<>();
    for (YamlValue item : v.items("a list of matches, each " + expected)) {
      Fields f = item.fields(expected, "header", "cookie");
      if (f.keys().size() != 1) {
        if (item.isMapping()) {
          item.problem(
              f.keys().isEmpty() ? "an empty match" : "both", "exactly one of: header, cookie");
        }
        continue;
      }
      boolean header = f.has("header");
      YamlValue m = f.get(header ? "header" : "cookie");
      Fields mf = m.fields("a mapping with name and value", "name", "value");
      String name =
          mf.get("name")
              .string(
                  Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+"),
                  header ? "a header name" : "a cookie name");
      String value = mf.get("value").string(NON_EMPTY, "the value to match exactly");
      if (name != null && value != null) {
        out.add(
            new KubernetesTraffic.Match(
                header ? KubernetesTraffic.Match.Kind.HEADER : KubernetesTraffic.Match.Kind.COOKIE,
                name,
                value));
      }
    }
    return out;
  }

  /**
   * Checks an app whose runtime is Kubernetes against its strategy and returns the strategy to use:
   * its analyses ask for no minimum of requests, since Sluice's router (which counts them) does not
   * carry the app's traffic on Kubernetes.
   *
   * @param app the app's fields as written
   */
  static StrategySpec check(Fields app, RuntimeSpec.Kubernetes k, StrategySpec strategy) {
    YamlValue trafficValue =
        app.get("runtime").fields("").get("kubernetes").fields("").get("traffic");
    switch (k.traffic()) {
      case KubernetesTraffic.Service s -> {
        if (!(strategy instanceof StrategySpec.BlueGreen)) {
          trafficValue
              .fields("")
              .get("service")
              .problem(
                  "service (a selector switch) with a " + strategy.kind() + " strategy",
                  "strategy blueGreen with traffic service; gatewayApi, istio or replicas for "
                      + strategy.kind());
        }
      }
      case KubernetesTraffic.Replicas r -> {
        if (strategy instanceof StrategySpec.BlueGreen) {
          trafficValue
              .fields("")
              .get("replicas")
              .problem(
                  "replicas (every ready pod takes traffic) with a blueGreen strategy",
                  "strategy canary or rolling with traffic replicas; service, gatewayApi or istio"
                      + " for blueGreen");
        }
      }
      default -> {}
    }
    YamlValue strategyValue = app.get("strategy");
    Fields strategyFields = strategyValue.fields("");
    if (strategy instanceof StrategySpec.BlueGreen bg && bg.previewListen() != null) {
      strategyFields
          .get("blueGreen")
          .fields("")
          .get("previewListen")
          .problem(
              "an address, for an app on Kubernetes",
              "no previewListen: name a preview Service with traffic.service.previewName");
    }
    for (YamlValue analysis : analyses(strategyFields)) {
      Fields af = analysis.fields("");
      if (af.get("minRequests").present()) {
        YamlValue min = af.get("minRequests");
        min.problem(
            min.describe()
                + ", but minRequests counts requests through Sluice's router, which an app on"
                + " Kubernetes does not use",
            "no minRequests; guard the metric's query against too little traffic instead");
      }
      for (YamlValue metric : af.get("metrics").items("")) {
        YamlValue builtin = metric.fields("").get("builtin");
        if (builtin.present()) {
          builtin.problem(
              builtin.describe()
                  + ", but builtin metrics come from Sluice's own router, which an app on"
                  + " Kubernetes does not use",
              "a prometheus, http or command metric");
        }
      }
    }
    return withoutMinRequests(strategy);
  }

  /** The analysis mappings of a strategy as written. */
  private static List<YamlValue> analyses(Fields strategy) {
    List<YamlValue> out = new ArrayList<>();
    Fields canary = strategy.get("canary").fields("");
    if (canary.has("analysis")) {
      out.add(canary.get("analysis"));
    }
    for (YamlValue step : canary.get("steps").items("")) {
      Fields sf = step.fields("");
      if (sf.has("analysis")) {
        out.add(sf.get("analysis"));
      }
    }
    Fields rolling = strategy.get("rolling").fields("");
    if (rolling.has("analysis")) {
      out.add(rolling.get("analysis"));
    }
    return out;
  }

  private static StrategySpec withoutMinRequests(StrategySpec strategy) {
    return switch (strategy) {
      case StrategySpec.BlueGreen bg -> bg;
      case StrategySpec.Shadow sh -> sh;
      case StrategySpec.Experiment e ->
          new StrategySpec.Experiment(
              e.arms(),
              e.sticky(),
              e.duration(),
              e.analysis().withMinRequests(0),
              e.autoPromoteWinner(),
              e.scaleDownDelay());
      case StrategySpec.Rolling r ->
          new StrategySpec.Rolling(r.maxSurge(), r.maxUnavailable(), noMinimum(r.analysis()));
      case StrategySpec.Canary c -> {
        List<StrategySpec.CanaryStep> steps = new ArrayList<>();
        for (StrategySpec.CanaryStep s : c.steps()) {
          steps.add(
              s instanceof StrategySpec.CanaryStep.Analysis a
                  ? new StrategySpec.CanaryStep.Analysis(a.spec().withMinRequests(0))
                  : s);
        }
        yield new StrategySpec.Canary(
            steps,
            c.canaryReplicas(),
            c.scaleDownDelay(),
            c.rollbackWindow(),
            noMinimum(c.analysis()));
      }
    };
  }

  private static @Nullable AnalysisSpec noMinimum(@Nullable AnalysisSpec a) {
    return a == null ? null : a.withMinRequests(0);
  }
}
