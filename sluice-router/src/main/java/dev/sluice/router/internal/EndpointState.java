package dev.sluice.router.internal;

import dev.sluice.router.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

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

  /** Whether outlier detection took the replica out of traffic for a while. */
  volatile boolean ejected;

  /** Failures in a row (outlier detection); written only when it changes. */
  private volatile int failuresInARow;

  /** Ejection bookkeeping, guarded by {@link OutlierDetector}'s lock. */
  int ejections;

  long lastEjectionEndNanos;

  /** Requests holding one of the replica's connection slots (only with a connection limit). */
  private final AtomicInteger slots = new AtomicInteger();

  /** Requests waiting for a slot, all loops, and the waiters of each loop. */
  private final AtomicInteger pending = new AtomicInteger();

  private final ArrayDeque<ClientHandler>[] waiting;

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
    this.waiting = new ArrayDeque[loops];
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

  /** Takes a connection slot when fewer than {@code limit} are taken. */
  boolean tryAcquireSlot(int limit) {
    while (true) {
      int n = slots.get();
      if (n >= limit) {
        return false;
      }
      if (slots.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives a slot back; returns whether requests wait for one (on any loop). */
  boolean releaseSlot() {
    slots.decrementAndGet();
    return pending.get() > 0;
  }

  /** Queues a request for a slot unless {@code max} already wait. Call on loop {@code loop}. */
  boolean enqueue(int loop, ClientHandler h, int max) {
    while (true) {
      int n = pending.get();
      if (n >= max) {
        return false;
      }
      if (pending.compareAndSet(n, n + 1)) {
        break;
      }
    }
    ArrayDeque<ClientHandler> q = waiting[loop];
    if (q == null) {
      q = waiting[loop] = new ArrayDeque<>();
    }
    q.addLast(h);
    return true;
  }

  /** Removes a waiting request (it timed out or its client left). Call on loop {@code loop}. */
  void dequeue(int loop, ClientHandler h) {
    ArrayDeque<ClientHandler> q = waiting[loop];
    if (q != null && q.remove(h)) {
      pending.decrementAndGet();
    }
  }

  /**
   * Hands free slots to this loop's waiting requests, oldest first; returns whether some still wait
   * here. Call on loop {@code loop}.
   */
  boolean wake(int loop, int limit) {
    ArrayDeque<ClientHandler> q = waiting[loop];
    while (q != null && !q.isEmpty()) {
      if (!tryAcquireSlot(limit)) {
        return true;
      }
      ClientHandler h = q.pollFirst();
      pending.decrementAndGet();
      h.slotGranted(this);
    }
    return false;
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
