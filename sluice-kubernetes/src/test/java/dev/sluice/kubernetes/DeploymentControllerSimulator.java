package dev.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for Kubernetes' Deployment controller and kubelet, which the mock API server does not
 * have: every 50 ms, from what an informer saw, it makes each Deployment's pods match its replica
 * count (pods named after it, with its template's labels, Running and Ready, a made-up pod IP),
 * deletes the pods of Deployments that are gone, and writes each Deployment's status. A Deployment
 * named in {@link #crashing} gets pods that never become ready, waiting in CrashLoopBackOff.
 */
public final class DeploymentControllerSimulator implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "deployment-controller-simulator");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> crashing = ConcurrentHashMap.newKeySet();
  private final AtomicInteger ips = new AtomicInteger(1);
  private final AtomicInteger serial = new AtomicInteger();
  private final Map<String, List<String>> pods = new HashMap<>();
  private final Map<String, String> status = new HashMap<>();
  private final SharedIndexInformer<Deployment> deployments;
  private volatile String lastError = "";

  private DeploymentControllerSimulator(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.deployments = client.apps().deployments().inNamespace(namespace).inform();
  }

  /** Starts simulating in {@code namespace}. */
  public static DeploymentControllerSimulator start(KubernetesClient client, String namespace) {
    DeploymentControllerSimulator s = new DeploymentControllerSimulator(client, namespace);
    s.thread.scheduleWithFixedDelay(s::passSafely, 0, 50, TimeUnit.MILLISECONDS);
    return s;
  }

  /** From now on, the pods of Deployment {@code name} crash instead of getting ready. */
  public void crashing(String name) {
    crashing.add(name);
  }

  /** The last error a pass met, for test failure messages. */
  public String lastError() {
    return lastError;
  }

  private void passSafely() {
    try {
      pass();
    } catch (KubernetesClientException e) {
      lastError = e.toString(); // a write raced with the platform's; the next pass repeats it
    }
  }

  /**
   * One pass over the Deployments the informer saw: pods are created and deleted by name (the
   * simulator remembers them, so a pass lists nothing), and status is written when it changed.
   */
  private void pass() {
    Map<String, Deployment> byName = new HashMap<>();
    for (Deployment d : deployments.getStore().list()) {
      byName.put(d.getMetadata().getName(), d);
    }
    for (String gone : new java.util.ArrayList<>(pods.keySet())) {
      if (!byName.containsKey(gone)) {
        for (String pod : pods.remove(gone)) {
          client.pods().inNamespace(namespace).withName(pod).delete();
        }
      }
    }
    for (Deployment d : byName.values()) {
      String name = d.getMetadata().getName();
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      List<String> have = pods.computeIfAbsent(name, k -> new java.util.ArrayList<>());
      while (have.size() > want) {
        client.pods().inNamespace(namespace).withName(have.remove(have.size() - 1)).delete();
      }
      boolean crash = crashing.contains(name);
      while (have.size() < want) {
        Pod p = pod(d, serial.getAndIncrement(), crash);
        client.pods().inNamespace(namespace).resource(p).create();
        have.add(p.getMetadata().getName());
      }
      int ready = crash ? 0 : want;
      String written = status.get(name);
      String now = want + "/" + ready;
      if (!now.equals(written)) {
        d.setStatus(
            new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(want)
                .withUpdatedReplicas(want)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
        status.put(name, now);
      }
    }
  }

  private Pod pod(Deployment d, int index, boolean crash) {
    Map<String, String> labels = new HashMap<>(d.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("simulated-owner", d.getMetadata().getName());
    String container = d.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    return new PodBuilder()
        .withNewMetadata()
        .withName(d.getMetadata().getName() + "-" + index)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("10.0.0." + ips.getAndIncrement())
        .addNewCondition()
        .withType("Ready")
        .withStatus(crash ? "False" : "True")
        .endCondition()
        .withContainerStatuses(
            crash
                ? new ContainerStatusBuilder()
                    .withName(container)
                    .withRestartCount(3)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container")
                    .endWaiting()
                    .endState()
                    .build()
                : new ContainerStatusBuilder().withName(container).withReady(true).build())
        .endStatus()
        .build();
  }

  @Override
  public void close() {
    deployments.close();
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
