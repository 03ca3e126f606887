package dev.sluice.server.ha;

import dev.sluice.server.control.Leadership;
import dev.sluice.store.Lease;
import dev.sluice.store.LeaseStore;
import dev.sluice.store.StoreException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election over the store's {@link LeaseStore} lease {@code leader}: every process tries to
 * take the lease every {@code ttl / 5}; the one that has it renews it at the same pace, and the
 * others take it once it expired (by the database's clock), with the next epoch.
 *
 * <p>The leader believes it leads only until {@code ttl - ttl / 5} after the start of its last
 * successful renewal, by its own monotonic clock: the database set the expiry at least that late
 * (its clock read the time after the request left), so the leader stops before any other process
 * can start, as long as clocks run at about the same rate (they need not agree on the time). That
 * alone is not enough for a leader that is paused in the middle of a write; so every append of the
 * controller is also fenced by the lease's epoch ({@link #fence}, {@link
 * dev.sluice.store.Store#fencedBy}), and a replaced leader's append changes nothing.
 *
 * <p>When the store cannot be reached the lease lapses: this process stops deciding and says why
 * ({@link #problem}), and takes the lease again when the store returns unless another process did
 * meanwhile. A leader that finds another holder after it led calls {@code onLost} once.
 *
 * <p>{@code try (StoreLeadership l = StoreLeadership.start(store, id, () -> apiUrl, ttl, () -> {}))
 * { ... }}
 */
public final class StoreLeadership implements Leadership, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreLeadership.class);

  /** The lease's name in the store. */
  public static final String LEASE = "leader";

  /** A lease lasts this long unless renewed: failover takes about this long. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

  private final LeaseStore store;
  private final String holder;
  private final Supplier<@Nullable String> address;
  private final Duration ttl;
  private final Runnable onLost;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService thread;
  private final boolean candidate;

  private volatile @Nullable Lease held;
  private volatile long validUntilNanos;
  private volatile @Nullable Lease seen;
  private volatile @Nullable String problem;
  private boolean led;
  private boolean lostReported;

  private StoreLeadership(
      LeaseStore store,
      String holder,
      Supplier<@Nullable String> address,
      Duration ttl,
      Runnable onLost,
      LongSupplier nanoTime,
      boolean candidate) {
    this.store = store;
    this.holder = holder;
    this.address = address;
    this.ttl = ttl;
    this.onLost = onLost;
    this.nanoTime = nanoTime;
    this.candidate = candidate;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-leadership");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts competing for the lease (the first attempt before this returns, so a lone process leads
   * at once).
   *
   * @param holder this process's id, unique among the processes sharing the store
   * @param address published while this process leads (its API URL), for followers' messages
   * @param onLost called once, on the election's thread, when this process led and another took
   *     over
   */
  public static StoreLeadership start(
      LeaseStore store,
      String holder,
      Supplier<@Nullable String> address,
      Duration ttl,
      Runnable onLost) {
    return start(store, holder, address, ttl, onLost, System::nanoTime, true);
  }

  /** A process that never leads (a router-only process) but follows who does, for its messages. */
  public static StoreLeadership observe(LeaseStore store, Duration ttl) {
    return start(store, "router", () -> null, ttl, () -> {}, System::nanoTime, false);
  }

  static StoreLeadership start(
      LeaseStore store,
      String holder,
      Supplier<@Nullable String> address,
      Duration ttl,
      Runnable onLost,
      LongSupplier nanoTime,
      boolean candidate) {
    StoreLeadership l =
        new StoreLeadership(store, holder, address, ttl, onLost, nanoTime, candidate);
    l.thread.submit(l::attempt);
    long period = Math.max(10, ttl.toMillis() / 5);
    l.thread.scheduleWithFixedDelay(l::attempt, period, period, TimeUnit.MILLISECONDS);
    return l;
  }

  /** One round: renew or take the lease, or just read who has it. */
  private void attempt() {
    long start = nanoTime.getAsLong();
    try {
      Lease now =
          candidate
              ? store.acquireLease(LEASE, holder, address.get(), ttl)
              : store.lease(LEASE).orElse(null);
      problem = null;
      seen = now;
      if (now != null && now.heldBy(holder)) {
        Lease before = held;
        validUntilNanos = start + ttl.toNanos() - ttl.toNanos() / 5;
        held = now;
        if (before == null || before.epoch() != now.epoch()) {
          log.info("this process leads now (lease {} epoch {})", LEASE, now.epoch());
        }
        led = true;
        lostReported = false;
      } else {
        if (held != null) {
          log.warn(
              "the {} lease went to {} (epoch {}): this process no longer leads",
              LEASE,
              now == null ? "nobody" : now.holder(),
              now == null ? 0 : now.epoch());
        }
        held = null;
        if (led && !lostReported && now != null && !now.expired()) {
          lostReported = true;
          onLost.run();
        }
      }
    } catch (StoreException e) {
      if (problem == null) {
        log.warn("cannot reach the store to hold the {} lease: {}", LEASE, e.getMessage());
      }
      problem = e.getMessage();
    } catch (RuntimeException e) {
      log.error("leader election round failed", e);
    }
  }

  @Override
  public boolean isLeader() {
    return current() != null;
  }

  /**
   * The lease while this process leads, else null: the fencing token for the controller's appends.
   */
  public @Nullable Lease fence() {
    return current();
  }

  private @Nullable Lease current() {
    Lease l = held;
    if (l == null || nanoTime.getAsLong() - validUntilNanos >= 0) {
      return null;
    }
    return l;
  }

  /** The leader's published address (its API URL), or its id when it published none. */
  @Override
  public @Nullable String leader() {
    Lease l = seen;
    if (l == null || l.expired()) {
      return null;
    }
    return Objects.requireNonNullElse(l.address(), l.holder());
  }

  /** Why the lease could not be renewed or read (the store is unreachable); null when it could. */
  @Override
  public @Nullable String problem() {
    return problem;
  }

  /** Stops competing; a leader gives the lease up, so another process takes over at once. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Lease l = held;
    held = null;
    if (l != null) {
      try {
        store.releaseLease(l);
        log.info("gave up the {} lease", LEASE);
      } catch (StoreException e) {
        log.warn("cannot give up the {} lease (it expires by itself): {}", LEASE, e.getMessage());
      }
    }
  }
}
