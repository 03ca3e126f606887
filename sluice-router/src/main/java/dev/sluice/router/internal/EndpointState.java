package dev.sluice.router.internal;

import dev.sluice.router.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The router's live state of one replica: health, requests in flight, and its idle upstream
 * connections, one pool per event loop.
 *
 * <p>A pool is touched only by its own event loop, so it needs no lock; a client connection always
 * borrows from the pool of the loop it runs on, which keeps each exchange on one thread.
 */
final class EndpointState {

  final Endpoint endpoint;
  final InetSocketAddress address;
  private final LoopCounters inFlight;

  /** Whether the replica may get traffic; written by health checks and the proxy. */
  volatile boolean healthy = true;

  /** Whether health checks watch this replica (only then a connect failure marks it down). */
  volatile boolean watched;

  /** True while the replica is in no listener's table: pooled connections close on return. */
  volatile boolean retired;

  /** When {@link #retired} was last set (router ticker, nanoseconds). */
  volatile long retiredAt;

  /** Whether outlier detection took the replica out of traffic for a while. */
  volatile boolean ejected;

  /** Failures in a row (outlier detection); written only when it changes. */
  private volatile int failuresInARow;

  /** Ejection bookkeeping, guarded by {@link OutlierDetector}'s lock. */
  int ejections;

  long lastEjectionEndNanos;

  /**
   * Connection slots (only with a per-replica limit): requests in flight that hold one, and the
   * requests waiting for one, oldest first. Guarded by {@code this}; touched only when a limit is
   * set, where a short lock per request costs little next to the network.
   */
  private int slots;

  private final ArrayDeque<ClientHandler> waiters = new ArrayDeque<>();

  private final ArrayDeque<UpstreamHandler>[] idle;

  /** Idle connections of shadow copies, per loop; created on first use. */
  private final ArrayDeque<ShadowClientHandler>[] shadowIdle;

  @SuppressWarnings("unchecked")
  EndpointState(Endpoint endpoint, int loops) {
    this.endpoint = endpoint;
    this.address = new InetSocketAddress(endpoint.host(), endpoint.port());
    this.inFlight = new LoopCounters(loops, 2);
    this.idle = new ArrayDeque[loops];
    this.shadowIdle = new ArrayDeque[loops];
    for (int i = 0; i < loops; i++) {
      idle[i] = new ArrayDeque<>();
    }
  }

  /** Counts a failed request; returns the failures in a row. */
  int failed() {
    int n = failuresInARow + 1;
    failuresInARow = n;
    return n;
  }

  /** Counts a successful request: the failures in a row start again. */
  void succeeded() {
    if (failuresInARow != 0) {
      failuresInARow = 0;
    }
  }

  /** Takes a connection slot when fewer than {@code limit} are taken and nobody waits. */
  synchronized boolean tryAcquireSlot(int limit) {
    if (slots >= limit || !waiters.isEmpty()) {
      return false;
    }
    slots++;
    return true;
  }

  /**
   * Takes a slot, or queues {@code h} for one when fewer than {@code maxPending} wait; returns
   * {@link #SLOT_TAKEN}, {@link #SLOT_QUEUED} or {@link #SLOT_FULL}. A queued handler gets {@link
   * ClientHandler#slotGranted} on its own loop when a slot is handed to it.
   */
  synchronized int acquireSlotOrWait(ClientHandler h, int limit, int maxPending) {
    if (slots < limit && waiters.isEmpty()) {
      slots++;
      return SLOT_TAKEN;
    }
    if (waiters.size() >= maxPending) {
      return SLOT_FULL;
    }
    waiters.addLast(h);
    return SLOT_QUEUED;
  }

  static final int SLOT_TAKEN = 0;
  static final int SLOT_QUEUED = 1;
  static final int SLOT_FULL = 2;

  /**
   * Gives a slot back: it goes straight to the oldest waiting request (on that request's loop), so
   * a newcomer cannot take it first; else it becomes free.
   */
  void releaseSlot() {
    ClientHandler next;
    synchronized (this) {
      next = waiters.pollFirst();
      if (next == null) {
        slots--;
        return;
      }
    }
    next.slotGranted(this);
  }

  /**
   * Takes a waiting request out of the queue (it timed out or its client left); returns false when
   * a slot was already handed to it (then {@link ClientHandler#slotGranted} is on its way).
   */
  synchronized boolean cancelWait(ClientHandler h) {
    return waiters.remove(h);
  }

  /** Returns the slots taken (requests in flight under a limit). */
  synchronized int slotsTaken() {
    return slots;
  }

  /** Returns an open idle shadow connection of this loop, or null. Call on loop {@code loop}. */
  ShadowClientHandler pollShadowIdle(int loop) {
    ArrayDeque<ShadowClientHandler> pool = shadowIdle[loop];
    if (pool == null) {
      return null;
    }
    ShadowClientHandler h;
    while ((h = pool.pollLast()) != null) {
      h.pooled = false;
      if (h.channel().isActive()) {
        return h;
      }
      h.channel().close();
    }
    return null;
  }

  /** Keeps a shadow connection for reuse, or closes it. Call on loop {@code loop}. */
  void offerShadowIdle(int loop, ShadowClientHandler h, int max) {
    ArrayDeque<ShadowClientHandler> pool = shadowIdle[loop];
    if (pool == null) {
      pool = shadowIdle[loop] = new ArrayDeque<>();
    }
    if (retired || pool.size() >= max || !h.channel().isActive()) {
      h.channel().close();
      return;
    }
    h.pooled = true;
    pool.addLast(h);
  }

  /** Forgets a pooled shadow connection that closed. Call on loop {@code loop}. */
  void removeShadowIdle(int loop, ShadowClientHandler h) {
    ArrayDeque<ShadowClientHandler> pool = shadowIdle[loop];
    if (pool != null) {
      pool.remove(h);
    }
    h.pooled = false;
  }

  /** Counts a request that starts on this replica. Call on loop {@code loop}. */
  void started(int loop) {
    inFlight.add(loop, 0, 1);
  }

  /** Counts a request that left this replica. Call on the loop that counted it started. */
  void ended(int loop) {
    inFlight.add(loop, 0, -1);
  }

  /** Counts a tunnel opened to this replica. Call on loop {@code loop}. */
  void tunnelOpened(int loop) {
    inFlight.add(loop, 1, 1);
  }

  /** Counts a tunnel that closed. Call on the loop that counted it opened. */
  void tunnelClosed(int loop) {
    inFlight.add(loop, 1, -1);
  }

  /** Returns the open tunnels to this replica over all loops. */
  int tunnels() {
    return (int) inFlight.sum(1);
  }

  /** Returns the requests in flight on this replica over all loops. */
  int inFlight() {
    return (int) inFlight.sum(0);
  }

  /** Returns an open idle connection of this loop, or null. Call on loop {@code loop}. */
  UpstreamHandler pollIdle(int loop) {
    ArrayDeque<UpstreamHandler> pool = idle[loop];
    UpstreamHandler h;
    while ((h = pool.pollLast()) != null) {
      h.pooled = false;
      if (h.channel().isActive()) {
        return h;
      }
      h.channel().close();
    }
    return null;
  }

  /** Keeps a connection for reuse, or closes it when retired or the pool is full. */
  void offerIdle(int loop, UpstreamHandler h, int max) {
    ArrayDeque<UpstreamHandler> pool = idle[loop];
    if (retired || pool.size() >= max || !h.channel().isActive()) {
      h.channel().close();
      return;
    }
    h.pooled = true;
    pool.addLast(h);
  }

  /** Forgets a pooled connection that closed. Call on loop {@code loop}. */
  void removeIdle(int loop, UpstreamHandler h) {
    idle[loop].remove(h);
    h.pooled = false;
  }

  /** Closes every idle connection of one loop. Call on loop {@code loop}. */
  void closeIdle(int loop) {
    UpstreamHandler h;
    while ((h = idle[loop].pollLast()) != null) {
      h.pooled = false;
      h.channel().close();
    }
    ArrayDeque<ShadowClientHandler> pool = shadowIdle[loop];
    ShadowClientHandler s;
    while (pool != null && (s = pool.pollLast()) != null) {
      s.pooled = false;
      s.channel().close();
    }
  }
}
