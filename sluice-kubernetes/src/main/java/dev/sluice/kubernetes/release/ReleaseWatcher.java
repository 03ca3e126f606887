package dev.sluice.kubernetes.release;

import dev.sluice.kubernetes.release.internal.ReleaseResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code Release} custom resources into deploys and writes each release's progress back to
 * its status, so that a GitOps tool (Argo CD, Flux) that applies a Release sees it progress, pause,
 * succeed or roll back.
 *
 * <pre>{@code
 * apiVersion: sluice.dev/v1alpha1
 * kind: Release
 * metadata: {name: shop-2-4-0, namespace: shop}
 * spec: {app: shop, version: 2.4.0}
 * }</pre>
 *
 * <p>A Release whose {@code metadata.generation} differs from its {@code status.observedGeneration}
 * is new or changed: Sluice deploys its version and records the generation, so a re-list (after a
 * restart, or on another instance that becomes leader) does not deploy it again. Only the leader
 * acts; {@link #rescan} goes over every Release again when an instance becomes leader. Status
 * writes happen on the watcher's own thread, never on the caller's.
 */
public final class ReleaseWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReleaseWatcher.class);
  private static final Duration PUBLISH_DELAY = Duration.ofMillis(200);

  /** How often every Release is looked at again: an instance that became leader acts by then. */
  private static final Duration RESYNC = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final ReleaseCommands commands;
  private final BooleanSupplier leading;
  private final List<SharedIndexInformer<ReleaseResource>> informers = new ArrayList<>();
  private final ScheduledExecutorService writer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-release-status");
            t.setDaemon(true);
            return t;
          });

  /** Generations a deploy was started for, by Release uid, until the status records them. */
  private final Map<String, Long> started = new ConcurrentHashMap<>();

  /** The last status published per app, for Releases that appear later. */
  private final Map<String, ReleaseStatus> latest = new ConcurrentHashMap<>();

  /** Apps with a publication scheduled, so a burst of events writes once. */
  private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

  private ReleaseWatcher(
      KubernetesClient client, ReleaseCommands commands, BooleanSupplier leading) {
    this.client = client;
    this.commands = commands;
    this.leading = leading;
  }

  /**
   * Starts watching Releases in {@code namespaces}.
   *
   * @param leading whether this instance leads now; a follower only watches
   */
  public static ReleaseWatcher start(
      KubernetesClient client,
      Collection<String> namespaces,
      ReleaseCommands commands,
      BooleanSupplier leading) {
    ReleaseWatcher w =
        new ReleaseWatcher(
            Objects.requireNonNull(client),
            Objects.requireNonNull(commands),
            Objects.requireNonNull(leading));
    try {
      for (String ns : new java.util.TreeSet<>(namespaces)) {
        SharedIndexInformer<ReleaseResource> informer =
            client
                .resources(ReleaseResource.class)
                .inNamespace(ns)
                .inform(w.handler(), RESYNC.toMillis());
        w.informers.add(informer);
      }
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }

  private ResourceEventHandler<ReleaseResource> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ReleaseResource r) {
        consider(r);
      }

      @Override
      public void onUpdate(ReleaseResource before, ReleaseResource after) {
        consider(after);
      }

      @Override
      public void onDelete(ReleaseResource r, boolean unknownFinalState) {
        started.remove(r.getMetadata().getUid());
      }
    };
  }

  /** How many Releases the watcher has seen (for tests and status). */
  public int watched() {
    return informers.stream().mapToInt(i -> i.getStore().list().size()).sum();
  }

  /** Goes over every Release again (this instance just became leader). */
  public void rescan() {
    for (SharedIndexInformer<ReleaseResource> i : informers) {
      i.getStore().list().forEach(this::consider);
    }
  }

  /** Deploys a Release that is new or changed since Sluice last saw it. */
  private void consider(ReleaseResource r) {
    if (!leading.getAsBoolean()) {
      return;
    }
    long generation = Objects.requireNonNullElse(r.getMetadata().getGeneration(), 1L);
    Long observed = r.getStatus() == null ? null : r.getStatus().getObservedGeneration();
    String uid = r.getMetadata().getUid();
    if (Objects.equals(observed, generation)
        || Objects.equals(started.putIfAbsent(uid, generation), generation)) {
      return;
    }
    started.put(uid, generation);
    String where = r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    String app = r.getSpec() == null ? null : r.getSpec().getApp();
    String version = r.getSpec() == null ? null : r.getSpec().getVersion();
    if (app == null || version == null) {
      write(
          r,
          generation,
          ReleaseStatus.refused(String.valueOf(version), "spec.app and spec.version are required"));
      return;
    }
    log.info("Release {}: deploying {} of {}", where, version, app);
    commands
        .deploy(app, version)
        .whenComplete(
            (status, error) -> {
              if (status != null) {
                // events published while the deploy was answered may be newer than its answer
                writer.execute(
                    () -> {
                      ReleaseStatus now = latest.get(app);
                      writeNow(
                          r,
                          generation,
                          now != null
                                  && Objects.equals(now.version(), version)
                                  && now.revision() >= status.revision()
                              ? now
                              : status);
                    });
              } else {
                Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                String why =
                    cause == null || cause.getMessage() == null
                        ? String.valueOf(cause)
                        : cause.getMessage();
                log.info("Release {}: refused: {}", where, why);
                write(r, generation, ReleaseStatus.refused(version, why));
              }
            });
  }

  /**
   * Tells the Releases of {@code app} how its release is going: the Release of that version gets
   * the status; an unfinished Release of another version is marked Superseded.
   */
  public void publish(String app, ReleaseStatus status) {
    latest.put(app, status);
    writer.execute(() -> publishNow(app, status));
  }

  /**
   * Like {@link #publish(String, ReleaseStatus)}, with the status read a moment later on the
   * watcher's thread: a controller announces an event before it has applied the batch the event
   * belongs to, and a burst of events then costs one write.
   */
  public void publish(String app, Supplier<ReleaseStatus> status) {
    if (scheduled.add(app)) {
      writer.schedule(
          () -> {
            scheduled.remove(app);
            ReleaseStatus s = status.get();
            latest.put(app, s);
            publishNow(app, s);
          },
          PUBLISH_DELAY.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private void publishNow(String app, ReleaseStatus status) {
    for (SharedIndexInformer<ReleaseResource> i : informers) {
      for (ReleaseResource r : i.getStore().list()) {
        if (r.getSpec() == null
            || !app.equals(r.getSpec().getApp())
            || r.getStatus() == null
            || r.getStatus().getObservedGeneration() == null) {
          continue; // not handled yet: its deploy writes the first status
        }
        ReleaseResource.Status current = r.getStatus();
        if (Objects.equals(r.getSpec().getVersion(), status.version())) {
          if (!"Refused".equals(current.getPhase())) {
            writeNow(r, current.getObservedGeneration(), status);
          }
        } else if (!isFinal(current.getPhase()) && !status.isFinal()) {
          writeNow(
              r,
              current.getObservedGeneration(),
              new ReleaseStatus(
                  "Superseded",
                  r.getSpec().getVersion(),
                  Objects.requireNonNullElse(current.getRevision(), 0),
                  status.weights(),
                  "a release of " + status.version() + " replaced it"));
        }
      }
    }
  }

  private static boolean isFinal(@Nullable String phase) {
    return phase != null && !phase.equals("Progressing") && !phase.equals("Paused");
  }

  private void write(ReleaseResource r, long generation, ReleaseStatus status) {
    writer.execute(() -> writeNow(r, generation, status));
  }

  /** Writes the status when it differs from what the Release holds now. */
  private void writeNow(ReleaseResource seen, long generation, ReleaseStatus status) {
    String ns = seen.getMetadata().getNamespace();
    String name = seen.getMetadata().getName();
    try {
      ReleaseResource r =
          client.resources(ReleaseResource.class).inNamespace(ns).withName(name).get();
      if (r == null) {
        return;
      }
      ReleaseResource.Status next = new ReleaseResource.Status();
      next.setObservedGeneration(generation);
      next.setPhase(status.phase());
      next.setRevision(status.revision());
      next.setWeights(new LinkedHashMap<>(new java.util.TreeMap<>(status.weights())));
      next.setMessage(status.message());
      var json = client.getKubernetesSerialization();
      if (r.getStatus() != null && json.asJson(r.getStatus()).equals(json.asJson(next))) {
        return;
      }
      r.setStatus(next);
      client.resources(ReleaseResource.class).inNamespace(ns).resource(r).updateStatus();
    } catch (KubernetesClientException e) {
      log.warn("Release {}/{}: cannot write its status: {}", ns, name, e.getMessage());
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
