package dev.sluice.server.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.ReleasePhase;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.HostPort;
import dev.sluice.runtime.platform.ReplicaView;
import dev.sluice.server.api.Json;
import dev.sluice.server.api.ResultJson;
import dev.sluice.server.control.AppView;
import dev.sluice.server.dashboard.SeriesSampler.Point;
import dev.sluice.server.dashboard.SeriesSampler.Row;
import dev.sluice.store.ReleaseRecord;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The JSON the dashboard's pages draw: an app's status with a colour (and an experiment's or a
 * shadow's results, as the API shows them), the per-second series, the release's analysis
 * measurements, its timeline and the app's release history. It is the dashboard's own shape (the
 * API's stays as it is); like the API, it never includes a release's spec snapshot, which may hold
 * secrets.
 */
final class AppViews {
  /** How many seconds the overview's rates are averaged over. */
  static final int RECENT_SECONDS = 10;

  private AppViews() {}

  /** An app's status: versions with their replicas and weights, the release, a colour. */
  static ObjectNode status(AppView view, ResultJson results) {
    AppState s = view.state();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("app", s.app());
    o.put("listen", address(view.listen()));
    o.put("stable", s.stableVersion());
    o.put("lastEvent", s.seq());
    ObjectNode weights = o.putObject("weights");
    new TreeMap<>(s.weights()).forEach(weights::put);
    Release r = s.release();
    if (r == null) {
      o.putNull("release");
    } else {
      ObjectNode rel = release(r);
      results.addTo(rel, s);
      o.set("release", rel);
    }
    ArrayNode versions = o.putArray("versions");
    TreeSet<String> names = new TreeSet<>(s.versions().keySet());
    names.addAll(s.weights().keySet());
    for (String name : names) {
      VersionState v = s.versions().get(name);
      ObjectNode vn = versions.addObject();
      vn.put("version", name);
      vn.put("role", role(s, name));
      vn.put("weight", s.weights().getOrDefault(name, 0));
      vn.put("replicas", v == null ? 0 : v.replicas());
      vn.put("retireAt", v == null || v.retireAt() == null ? null : v.retireAt().toString());
      VersionHealth h = view.health().getOrDefault(name, VersionHealth.NONE);
      vn.put("running", h.running());
      vn.put("healthy", h.healthy());
      vn.put("detail", h.detail());
      ArrayNode instances = vn.putArray("instances");
      for (ReplicaView rv : view.replicas().getOrDefault(name, List.of())) {
        instances
            .addObject()
            .put("index", rv.index())
            .put("address", rv.host() + ":" + rv.port())
            .put("pid", rv.pid())
            .put("state", rv.state())
            .put("restarts", rv.restarts())
            .put("healthy", rv.healthy());
      }
    }
    Colour c = colour(view);
    o.putObject("health").put("colour", c.colour()).put("label", c.label());
    ObjectNode actions = o.putObject("actions");
    boolean active = s.active().isPresent();
    actions.put("promote", active);
    actions.put("abort", active);
    actions.put("rollback", active || s.history().size() > 1);
    return o;
  }

  private static String role(AppState s, String version) {
    Release r = s.release();
    if (r != null && !r.phase().isDone() && r.version().equals(version)) {
      return "canary";
    }
    if (version.equals(s.stableVersion())) {
      return "stable";
    }
    return "previous";
  }

  private static ObjectNode release(Release r) {
    ObjectNode rel = Json.MAPPER.createObjectNode();
    rel.put("revision", r.revision());
    rel.put("version", r.version());
    rel.put("from", r.from());
    rel.put("strategy", r.spec().strategy().kind());
    rel.put("trigger", r.trigger());
    rel.put("phase", r.phase().name());
    rel.put("status", r.phase().status());
    rel.put("done", r.phase().isDone());
    rel.put("reason", r.reason());
    rel.put("startedAt", r.startedAt().toString());
    rel.put("phaseSince", r.phaseSince().toString());
    rel.set("steps", Steps.of(r));
    ObjectNode runs = rel.putObject("analysis");
    for (Map.Entry<String, AnalysisRun> e : new TreeMap<>(r.runs()).entrySet()) {
      AnalysisRun run = e.getValue();
      runs.putObject(e.getKey())
          .put("status", run.status().name())
          .put("measurements", run.measurements())
          .put("passed", run.passed())
          .put("failed", run.failed())
          .put("inconclusive", run.inconclusive())
          .put("errors", run.errors())
          .put("reason", run.reason());
    }
    return rel;
  }

  /** What a colour on the overview means, and its words (colour is never the only signal). */
  record Colour(String colour, String label) {}

  static Colour colour(AppView view) {
    AppState s = view.state();
    for (Map.Entry<String, Integer> w : s.weights().entrySet()) {
      if (w.getValue() > 0) {
        VersionHealth h = view.health().getOrDefault(w.getKey(), VersionHealth.NONE);
        if (h.healthy() == 0) {
          return new Colour("red", "Down: " + w.getKey() + " has traffic and no healthy replica");
        }
      }
    }
    Release r = s.release();
    if (r != null && !r.phase().isDone()) {
      return r.phase() == ReleasePhase.PAUSED
          ? new Colour("amber", "Paused")
          : new Colour("blue", "Progressing");
    }
    for (Map.Entry<String, Integer> w : s.weights().entrySet()) {
      VersionState v = s.versions().get(w.getKey());
      VersionHealth h = view.health().getOrDefault(w.getKey(), VersionHealth.NONE);
      if (w.getValue() > 0 && v != null && h.healthy() < v.replicas()) {
        return new Colour(
            "amber", "Degraded: " + h.healthy() + " of " + v.replicas() + " replicas healthy");
      }
    }
    if (r == null) {
      return s.stable() == null
          ? new Colour("grey", "Not deployed")
          : new Colour("green", "Healthy");
    }
    return switch (r.phase()) {
      case SUCCEEDED -> new Colour("green", "Healthy");
      case FAILED -> new Colour("amber", "Last release failed");
      case ROLLED_BACK -> new Colour("amber", "Rolled back");
      case ABORTED -> new Colour("amber", "Last release aborted");
      default -> new Colour("blue", r.phase().status());
    };
  }

  /** The overview's line for an app: its status and each version's recent traffic. */
  static ObjectNode summary(AppView view, List<Row> rows, ResultJson results) {
    ObjectNode o = status(view, results);
    List<Row> recent = rows.subList(Math.max(0, rows.size() - RECENT_SECONDS), rows.size());
    for (var node : (ArrayNode) o.get("versions")) {
      String version = node.path("version").asText();
      long requests = 0;
      long errors = 0;
      double p99 = 0;
      for (Row r : recent) {
        Point p = r.versions().get(version);
        if (p != null) {
          requests += p.requests();
          errors += p.errors();
          if (p.p99Millis() != null) {
            p99 = Math.max(p99, p.p99Millis());
          }
        }
      }
      ObjectNode traffic = ((ObjectNode) node).putObject("traffic");
      traffic.put("rps", recent.isEmpty() ? 0.0 : (double) requests / recent.size());
      if (requests == 0) {
        traffic.putNull("errorShare");
        traffic.putNull("p99");
      } else {
        traffic.put("errorShare", (double) errors / requests);
        traffic.put("p99", p99);
      }
    }
    return o;
  }

  /**
   * The series as the charts take them: one time axis (Unix seconds) and, per version, arrays of
   * requests per second, error share, p50 and p99 in milliseconds aligned with it (null where the
   * version served nothing).
   */
  static ObjectNode series(List<Row> rows) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode t = o.putArray("t");
    TreeSet<String> names = new TreeSet<>();
    rows.forEach(r -> names.addAll(r.versions().keySet()));
    ObjectNode versions = o.putObject("versions");
    Map<String, ArrayNode[]> columns = new TreeMap<>();
    for (String name : names) {
      ObjectNode v = versions.putObject(name);
      columns.put(
          name,
          new ArrayNode[] {
            v.putArray("rps"), v.putArray("errors"), v.putArray("p50"), v.putArray("p99")
          });
    }
    for (Row r : rows) {
      t.add(r.second());
      for (Map.Entry<String, ArrayNode[]> c : columns.entrySet()) {
        ArrayNode[] a = c.getValue();
        Point p = r.versions().get(c.getKey());
        if (p == null) {
          for (ArrayNode x : a) {
            x.addNull();
          }
        } else {
          a[0].add(p.requests());
          addOrNull(a[1], p.errorShare());
          addOrNull(a[2], p.p50Millis());
          addOrNull(a[3], p.p99Millis());
        }
      }
    }
    return o;
  }

  private static void addOrNull(ArrayNode a, @Nullable Double d) {
    if (d == null) {
      a.addNull();
    } else {
      a.add(d);
    }
  }

  /** One event for the timeline. */
  static ObjectNode event(EventRecord r) {
    return Json.MAPPER
        .createObjectNode()
        .put("seq", r.seq())
        .put("at", r.at().toString())
        .put("type", r.event().type())
        .put("description", r.event().describe());
  }

  /** The analysis measurements among {@code events} (oldest first), newest first. */
  static ArrayNode measurements(List<EventRecord> events, int limit) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (int i = events.size() - 1; i >= 0 && out.size() < limit; i--) {
      if (events.get(i).event() instanceof Event.AnalysisMeasured m) {
        out.add(measurement(events.get(i), m));
      }
    }
    return out;
  }

  private static ObjectNode measurement(EventRecord r, Event.AnalysisMeasured m) {
    AnalysisResult res = m.result();
    ObjectNode o =
        Json.MAPPER
            .createObjectNode()
            .put("seq", r.seq())
            .put("at", r.at().toString())
            .put("run", m.run())
            .put("n", m.n())
            .put("verdict", res.verdict().name())
            .put("score", res.score())
            .put("reason", res.reason())
            .put("canaryRequests", res.canaryRequests())
            .put("baselineRequests", res.baselineRequests());
    ArrayNode metrics = o.putArray("metrics");
    for (Measurement x : res.measurements()) {
      metrics
          .addObject()
          .put("metric", x.metric())
          .put("canary", x.canary() == null ? null : x.unit().format(x.canary()))
          .put("baseline", x.baseline() == null ? null : x.unit().format(x.baseline()))
          .put("classification", x.classification().name())
          .put("label", x.classification().label())
          .put("reason", x.reason())
          .put("description", x.describe());
    }
    return o;
  }

  /** One release of the app's history. */
  static ObjectNode release(ReleaseRecord r) {
    return Json.MAPPER
        .createObjectNode()
        .put("revision", r.revision())
        .put("version", r.version())
        .put("strategy", r.strategy())
        .put("trigger", r.trigger())
        .put("status", r.status())
        .put("reason", r.reason())
        .put("startedAt", r.startedAt().toString())
        .put("updatedAt", r.updatedAt().toString());
  }

  private static String address(@Nullable InetSocketAddress a) {
    return a == null ? "" : new HostPort(a.getHostString(), a.getPort()).toString();
  }
}
