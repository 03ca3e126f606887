package dev.sluice.kubernetes.internal;

import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.runtime.platform.ReplicaView;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The health of a version from its Deployment's status and its pods: a pod counts as running in
 * phase Running, and as healthy when it is also Ready (its readiness probe passes), at most as many
 * as the Deployment reports ready. The detail names each pod that is not ready and why (waiting
 * reason such as {@code ImagePullBackOff}, a crash, a failing probe), and a Deployment that is past
 * its progress deadline.
 */
public final class PodHealth {
  private PodHealth() {}

  /** How one version is doing. */
  public static VersionHealth of(
      String deploymentName, @Nullable Deployment d, List<Pod> pods, @Nullable String problem) {
    if (d == null) {
      return new VersionHealth(
          0, 0, problem != null ? problem : "Deployment " + deploymentName + " is not created yet");
    }
    int running = 0;
    int ready = 0;
    List<String> details = new ArrayList<>();
    for (Pod p : pods) {
      boolean isRunning = "Running".equals(phase(p));
      if (isRunning) {
        running++;
      }
      if (isRunning && ready(p)) {
        ready++;
      } else {
        details.add("pod " + p.getMetadata().getName() + ": " + why(p));
      }
    }
    Integer reported = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
    int healthy = Math.min(ready, reported == null ? 0 : reported);
    int want =
        d.getSpec() == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
    if (pods.size() < want && details.isEmpty()) {
      details.add(pods.size() + " of " + want + " pods exist");
    }
    if (d.getStatus() != null && d.getStatus().getConditions() != null) {
      for (DeploymentCondition c : d.getStatus().getConditions()) {
        boolean stuck = "Progressing".equals(c.getType()) && "False".equals(c.getStatus());
        boolean failed = "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus());
        if (stuck || failed) {
          details.add(
              "Deployment "
                  + deploymentName
                  + ": "
                  + Objects.requireNonNullElse(c.getReason(), c.getType())
                  + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"));
        }
      }
    }
    if (problem != null) {
      details.add(problem);
    }
    return new VersionHealth(running, healthy, String.join("; ", details));
  }

  /** The pods of a version as people see them; the pod's name and state go in {@code state}. */
  public static List<ReplicaView> views(List<Pod> pods, int port) {
    List<ReplicaView> out = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      Pod p = pods.get(i);
      boolean ok = "Running".equals(phase(p)) && ready(p);
      int restarts = 0;
      for (ContainerStatus c : statuses(p)) {
        restarts += c.getRestartCount() == null ? 0 : c.getRestartCount();
      }
      String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
      out.add(
          new ReplicaView(
              i,
              ip == null ? "" : ip,
              port,
              -1,
              p.getMetadata().getName() + " " + (ok ? "ready" : why(p)),
              restarts,
              ok));
    }
    return out;
  }

  /** True when the pod's Ready condition is True. */
  public static boolean ready(Pod p) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  private static @Nullable String phase(Pod p) {
    return p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static List<ContainerStatus> statuses(Pod p) {
    return p.getStatus() == null || p.getStatus().getContainerStatuses() == null
        ? List.of()
        : p.getStatus().getContainerStatuses();
  }

  /** Why a pod is not ready, in a few words. */
  private static String why(Pod p) {
    for (ContainerStatus c : statuses(p)) {
      if (c.getState() != null && c.getState().getWaiting() != null) {
        String reason = c.getState().getWaiting().getReason();
        String message = c.getState().getWaiting().getMessage();
        return c.getName()
            + " waiting: "
            + Objects.requireNonNullElse(reason, "waiting")
            + (message == null ? "" : " (" + message + ")");
      }
      if (c.getState() != null && c.getState().getTerminated() != null) {
        var t = c.getState().getTerminated();
        return c.getName()
            + " terminated: "
            + Objects.requireNonNullElse(t.getReason(), "exit code " + t.getExitCode());
      }
    }
    String phase = phase(p);
    if (phase == null || "Pending".equals(phase)) {
      return "pending";
    }
    return "Running".equals(phase)
        ? "running, not ready"
        : phase.toLowerCase(java.util.Locale.ROOT);
  }
}
