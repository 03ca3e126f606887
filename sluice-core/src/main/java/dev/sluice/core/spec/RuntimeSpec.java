package dev.sluice.core.spec;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where an app's versions run: processes Sluice supervises, endpoints the user runs, or Deployments
 * on Kubernetes.
 */
public sealed interface RuntimeSpec {

  /**
   * Each replica of a version is a child process of Sluice.
   *
   * @param command the command line; {@code ${version}} is replaced by the version, and {@code
   *     $PORT} is set in the environment
   * @param replicas how many replicas each version runs
   * @param stopGrace how long a replica has between SIGTERM and SIGKILL; also bounds draining
   * @param env extra environment variables
   * @param workingDir the replicas' working directory, relative to the spec file; null for the
   *     daemon's
   */
  record Process(
      List<String> command,
      int replicas,
      Duration stopGrace,
      Map<String, String> env,
      @Nullable String workingDir)
      implements RuntimeSpec {
    public Process {
      command = List.copyOf(command);
      env = Map.copyOf(env);
    }
  }

  /**
   * Versions are endpoints the user runs; Sluice only routes to them.
   *
   * @param versions version name to its replicas' base URLs
   */
  record Static(Map<String, List<URI>> versions) implements RuntimeSpec {
    public Static {
      versions = Map.copyOf(versions);
    }
  }

  /**
   * Each version is a Deployment on Kubernetes ({@code <app>-<version hash>}), made from a pod
   * template in the spec or copied from an existing Deployment, and traffic moves by {@code
   * traffic}.
   *
   * @param namespace where the Deployments, Services and routes are
   * @param replicas how many pods each version runs at full size
   * @param deploymentTemplate the pod template (its {@code metadata} and {@code spec}) as compact
   *     JSON, where {@code ${version}} in any string is replaced by the version; null with {@code
   *     workloadRef}
   * @param workloadRef the name of a Deployment in the namespace whose pod template each new
   *     version copies (as Argo Rollouts' {@code workloadRef}); null with {@code
   *     deploymentTemplate}
   * @param traffic how traffic moves between versions
   * @param port the port of the Services Sluice points at versions
   * @param targetPort the pods' port the Services send to; null for the template's first container
   *     port (8080 when it names none)
   */
  record Kubernetes(
      String namespace,
      int replicas,
      @Nullable String deploymentTemplate,
      @Nullable String workloadRef,
      KubernetesTraffic traffic,
      int port,
      @Nullable Integer targetPort)
      implements RuntimeSpec {

    /** Where users of the app connect inside the cluster: its main Service. */
    public HostPort serviceAddress() {
      return new HostPort(traffic.mainService() + "." + namespace + ".svc", port);
    }
  }
}
