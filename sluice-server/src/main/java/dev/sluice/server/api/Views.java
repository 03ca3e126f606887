package dev.sluice.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.HostPort;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.runtime.platform.ReplicaView;
import dev.sluice.server.control.AppView;
import dev.sluice.store.ReleaseRecord;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of the API's answers. They never include a release's spec snapshot: it may hold
 * environment variables with secrets.
 */
final class Views {
  private Views() {}

  static ObjectNode app(AppView view, ResultJson results) {
    AppState s = view.state();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("app", s.app());
    o.put("listen", address(view.listen()));
    o.put("preview", view.preview() == null ? null : address(view.preview()));
    if (s.stable() == null) {
      o.putNull("stable");
    } else {
      o.putObject("stable")
          .put("version", s.stable().version())
          .put("revision", s.stable().number());
    }
    ObjectNode weights = o.putObject("weights");
    new TreeMap<>(s.weights()).forEach(weights::put);
    Release r = s.release();
    if (r == null) {
      o.putNull("release");
    } else {
      ObjectNode rel = o.putObject("release");
      rel.put("revision", r.revision());
      rel.put("version", r.version());
      rel.put("from", r.from());
      rel.put("strategy", r.spec().strategy().kind());
      rel.put("trigger", r.trigger());
      rel.put("phase", r.phase().name());
      rel.put("status", r.phase().status());
      rel.put("done", r.phase().isDone());
      rel.put("reason", r.reason());
      if (r.spec().strategy() instanceof StrategySpec.Canary c) {
        int step = Math.min(r.step(), c.steps().size());
        rel.put("step", step + 1);
        rel.put("steps", c.steps().size() + 1);
        rel.put("stepName", step < c.steps().size() ? c.steps().get(step).describe() : "promotion");
      }
      ObjectNode analysis = rel.putObject("analysis");
      for (var e : new TreeMap<>(r.runs()).entrySet()) {
        AnalysisRun run = e.getValue();
        ObjectNode rn = analysis.putObject(e.getKey());
        rn.put("status", run.status().name());
        rn.put("measurements", run.measurements());
        rn.put("passed", run.passed());
        rn.put("failed", run.failed());
        rn.put("inconclusive", run.inconclusive());
        rn.put("errors", run.errors());
        rn.put("reason", run.reason());
        AnalysisResult last = run.last();
        if (last == null) {
          rn.putNull("last");
        } else {
          ObjectNode l = rn.putObject("last");
          l.put("verdict", last.verdict().name());
          l.put("score", last.score());
          l.put("description", last.describe());
          ArrayNode metrics = l.putArray("metrics");
          for (Measurement m : last.measurements()) {
            metrics
                .addObject()
                .put("metric", m.metric())
                .put("canary", m.canary())
                .put("baseline", m.baseline())
                .put("classification", m.classification().name())
                .put("reason", m.reason());
          }
        }
      }
      rel.put("startedAt", r.startedAt().toString());
      rel.put("phaseSince", r.phaseSince().toString());
      results.addTo(rel, s);
    }
    ArrayNode versions = o.putArray("versions");
    for (VersionState v : new TreeMap<>(s.versions()).values()) {
      ObjectNode vn = versions.addObject();
      vn.put("version", v.version());
      vn.put("revision", v.revision());
      vn.put("replicas", v.replicas());
      vn.put("weight", s.weights().getOrDefault(v.version(), 0));
      vn.put("retireAt", v.retireAt() == null ? null : v.retireAt().toString());
      VersionHealth h = view.health().getOrDefault(v.version(), VersionHealth.NONE);
      vn.put("running", h.running());
      vn.put("healthy", h.healthy());
      vn.put("detail", h.detail());
      ArrayNode instances = vn.putArray("instances");
      for (ReplicaView rv : view.replicas().getOrDefault(v.version(), List.of())) {
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
    o.put("lastEvent", s.seq());
    return o;
  }

  static ObjectNode event(EventRecord r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("app", r.app());
    o.put("seq", r.seq());
    o.put("at", r.at().toString());
    o.put("type", r.event().type());
    o.put("description", r.event().describe());
    ObjectNode data = Json.MAPPER.valueToTree(r.event());
    data.remove("spec");
    o.set("data", data);
    return o;
  }

  static ObjectNode release(ReleaseRecord r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("revision", r.revision());
    o.put("version", r.version());
    o.put("strategy", r.strategy());
    o.put("trigger", r.trigger());
    o.put("status", r.status());
    o.put("reason", r.reason());
    o.put("startedAt", r.startedAt().toString());
    o.put("updatedAt", r.updatedAt().toString());
    return o;
  }

  static String address(@Nullable InetSocketAddress a) {
    return a == null ? "" : new HostPort(a.getHostString(), a.getPort()).toString();
  }
}
