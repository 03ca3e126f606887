package dev.sluice.kubernetes.lease;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes part in electing one leader among Sluice instances through a {@code coordination.k8s.io/v1}
 * Lease, using fabric8's leader elector (the algorithm of client-go's leaderelection package): the
 * leader renews the Lease every {@code retryPeriod}; if it cannot for {@code renewDeadline} it
 * steps down, and another instance takes the Lease once it was not renewed for {@code
 * leaseDuration}. Closing releases the Lease at once, so a rolling update hands over without
 * waiting.
 *
 * <pre>{@code
 * try (LeaseElection election =
 *     LeaseElection.start(client, "sluice", "sluice-leader", podName, Timing.DEFAULT)) {
 *   if (election.isLeader()) { ... }
 * }
 * }</pre>
 *
 * <p>An instance that stepped down stands again, so a leader that lost the API server for a while
 * becomes a follower and may lead again later.
 */
public final class LeaseElection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseElection.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String lease;
  private final String identity;
  private final Timing timing;
  private final ScheduledExecutorService restarts =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-lease-election");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean leader;
  private volatile @Nullable String holder;
  private volatile @Nullable CompletableFuture<?> running;
  private volatile boolean closed;

  /**
   * The election's pace, as client-go names it.
   *
   * @param leaseDuration how long followers wait after the last renewal before taking the Lease
   * @param renewDeadline how long the leader keeps trying to renew before it steps down
   * @param retryPeriod how often the leader renews and followers try
   */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    /** Kubernetes' own controllers' values: 15 s, 10 s, 2 s. */
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    public Timing {
      if (renewDeadline.compareTo(leaseDuration) >= 0
          || retryPeriod.compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException(
            "expected retryPeriod < renewDeadline < leaseDuration, got "
                + retryPeriod
                + ", "
                + renewDeadline
                + ", "
                + leaseDuration);
      }
    }
  }

  private LeaseElection(
      KubernetesClient client, String namespace, String lease, String identity, Timing timing) {
    this.client = client;
    this.namespace = namespace;
    this.lease = lease;
    this.identity = identity;
    this.timing = timing;
  }

  /**
   * Stands for election at once (in the background).
   *
   * @param lease the Lease's name in {@code namespace}; created when missing
   * @param identity this instance, unique among the candidates (the pod's name)
   */
  public static LeaseElection start(
      KubernetesClient client, String namespace, String lease, String identity, Timing timing) {
    LeaseElection e =
        new LeaseElection(
            Objects.requireNonNull(client),
            Objects.requireNonNull(namespace),
            Objects.requireNonNull(lease),
            Objects.requireNonNull(identity),
            Objects.requireNonNull(timing));
    e.stand();
    return e;
  }

  private synchronized void stand() {
    if (closed) {
      return;
    }
    var config =
        new LeaderElectionConfigBuilder()
            .withName("sluice")
            .withLock(new LeaseLock(namespace, lease, identity))
            .withLeaseDuration(timing.leaseDuration())
            .withRenewDeadline(timing.renewDeadline())
            .withRetryPeriod(timing.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(
                new LeaderCallbacks(this::startedLeading, this::stoppedLeading, this::newLeader))
            .build();
    CompletableFuture<?> f = client.leaderElector().withConfig(config).build().start();
    running = f;
    f.whenComplete(
        (ok, error) -> {
          leader = false;
          if (!closed) {
            // the elector ends when it stops leading: stand again after a pause
            restarts.schedule(this::stand, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
          }
        });
  }

  private void startedLeading() {
    leader = true;
    log.info("{} leads (Lease {}/{})", identity, namespace, lease);
  }

  private void stoppedLeading() {
    leader = false;
    log.info("{} no longer leads (Lease {}/{})", identity, namespace, lease);
  }

  private void newLeader(String who) {
    holder = who;
  }

  /** Whether this instance holds the Lease now. */
  public boolean isLeader() {
    return leader;
  }

  /** The identity of the leader as last seen; null before any was. */
  public @Nullable String leader() {
    return holder;
  }

  public String identity() {
    return identity;
  }

  /** Stops standing and releases the Lease if this instance holds it. */
  @Override
  public void close() {
    CompletableFuture<?> f;
    synchronized (this) {
      closed = true;
      f = running;
    }
    restarts.shutdownNow();
    if (f != null) {
      f.cancel(true); // with releaseOnCancel, the elector gives the Lease up
    }
    leader = false;
  }
}
