package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A client connection and its upstream connection joined after a 101 (Switching Protocols): bytes
 * go both ways as they come, unparsed, each side's reads paused while the other side cannot take
 * more (so a slow reader holds the writer back instead of filling memory).
 *
 * <p>A tunnel stays on the replica it was opened on, whatever the routing table says later. When a
 * table update leaves its replica out of its app's table (a switch, a rollback, a scale-down), the
 * tunnel drains: it may stay open for the table's {@code drainTimeout}, and is then ended by the
 * router; a later update that brings the replica back before that cancels the drain. Quiet tunnels
 * are ended after the listener's {@code tunnelIdleTimeout}.
 *
 * <p>The router ends a WebSocket (RFC 6455 7.1) by sending the client a close frame with status
 * 1001 (going away) once the upstream's stream is between two frames (a control frame may go
 * between fragments, never inside a frame: {@link FrameBoundary}), and the upstream a masked close
 * frame when the client's stream is between frames; it then closes the upstream connection and
 * waits briefly for the client's close reply before closing the client connection, so the client
 * reads the close frame rather than a reset. Other protocols are simply closed on both sides.
 *
 * <p>Everything here runs on the one event loop that both connections share.
 */
final class Tunnel {

  /** Close status 1001 (RFC 6455 7.4.1): the endpoint is going away. */
  static final int GOING_AWAY = 1001;

  /** How long an ended tunnel waits for a client's close reply, or a slow flush, before closing. */
  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final ListenerImpl listener;
  private final int loop;
  private final String app;
  private final String versionName;
  private final VersionMetrics metrics;
  private final EndpointState endpoint;
  private final Channel client;
  private final Channel upstream;
  private final boolean webSocket;
  private final @Nullable FrameBoundary toClient;
  private final @Nullable FrameBoundary toUpstream;
  private final Side clientSide = new Side(true);
  private final Side upstreamSide = new Side(false);
  private final long idleNanos;
  private final Duration drainTimeout;

  private long lastActivity;
  private @Nullable ScheduledFuture<?> idleTimer;
  private @Nullable ScheduledFuture<?> drainTimer;
  private @Nullable ScheduledFuture<?> closeTimer;
  private boolean goingAway;
  private boolean upstreamBetweenFrames;
  private String reason = "";
  private boolean closeSent;
  private boolean ended;

  private Tunnel(
      ListenerImpl listener,
      int loop,
      CompiledTable table,
      VersionEntry version,
      EndpointState endpoint,
      Channel client,
      Channel upstream,
      boolean webSocket) {
    this.listener = listener;
    this.loop = loop;
    this.app = table.app;
    this.versionName = version.name;
    this.metrics = version.metrics;
    this.endpoint = endpoint;
    this.client = client;
    this.upstream = upstream;
    this.webSocket = webSocket;
    this.toClient = webSocket ? new FrameBoundary() : null;
    this.toUpstream = webSocket ? new FrameBoundary() : null;
    this.idleNanos = listener.tunnelIdleTimeoutNanos;
    this.drainTimeout = table.source.drainTimeout();
  }

  /**
   * Joins the two connections of an exchange answered 101: their handlers leave the pipelines to
   * the tunnel's, and the bytes either side sent after the heads go on first.
   */
  static void open(
      ListenerImpl listener,
      int loop,
      CompiledTable table,
      VersionEntry version,
      EndpointState endpoint,
      ChannelHandlerContext clientCtx,
      ChannelHandlerContext upstreamCtx,
      boolean webSocket,
      @Nullable ByteBuf fromClient,
      @Nullable ByteBuf fromUpstream) {
    Tunnel t =
        new Tunnel(
            listener,
            loop,
            table,
            version,
            endpoint,
            clientCtx.channel(),
            upstreamCtx.channel(),
            webSocket);
    clientCtx.pipeline().replace(clientCtx.handler(), "tunnel", t.clientSide);
    upstreamCtx.pipeline().replace(upstreamCtx.handler(), "tunnel", t.upstreamSide);
    t.start(fromClient, fromUpstream);
  }

  private void start(@Nullable ByteBuf fromClient, @Nullable ByteBuf fromUpstream) {
    listener.tunnels[loop].add(this);
    metrics.tunnelOpened(loop);
    endpoint.tunnelOpened(loop);
    lastActivity = System.nanoTime();
    client.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
    if (fromClient != null) {
      forward(clientSide, fromClient);
    }
    if (fromUpstream != null) {
      forward(upstreamSide, fromUpstream);
    }
    clientSide.flushPeer();
    upstreamSide.flushPeer();
    if (!client.isActive() || !upstream.isActive()) {
      closeAll();
      return;
    }
    idleTimer = client.eventLoop().schedule(this::onIdleTimer, idleNanos, TimeUnit.NANOSECONDS);
    // The table may have changed while the upgrade was on its way.
    recheck(listener.routes);
  }

  /**
   * Starts draining when the tunnel's replica is no longer in its app's table, or stops when it is
   * back. Call on the tunnel's loop after every table update.
   */
  void recheck(MountTable routes) {
    if (ended || goingAway) {
      return;
    }
    CompiledTable t = routes.table(app);
    if (t != null && t.routesTo(versionName, endpoint)) {
      if (drainTimer != null) {
        drainTimer.cancel(false);
        drainTimer = null;
      }
      return;
    }
    if (drainTimer == null) {
      Duration d = t != null ? t.source.drainTimeout() : drainTimeout;
      drainTimer =
          client
              .eventLoop()
              .schedule(
                  () -> {
                    drainTimer = null;
                    goAway("drained", true);
                  },
                  d.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void onIdleTimer() {
    idleTimer = null;
    if (ended || goingAway) {
      return;
    }
    long left = lastActivity + idleNanos - System.nanoTime();
    if (left > 0) {
      idleTimer = client.eventLoop().schedule(this::onIdleTimer, left, TimeUnit.NANOSECONDS);
      return;
    }
    goAway("idle", false);
  }

  /** The router ends the tunnel: see the class comment. */
  private void goAway(String why, boolean drained) {
    if (ended || goingAway) {
      return;
    }
    goingAway = true;
    reason = why;
    cancelTimers();
    if (drained) {
      metrics.tunnelDrained(loop);
    }
    if (!webSocket) {
      closeAll();
      return;
    }
    closeTimer =
        client.eventLoop().schedule(this::closeAll, CLOSE_WAIT_NANOS, TimeUnit.NANOSECONDS);
    upstreamBetweenFrames = toUpstream.atBoundary();
    // Reads go on both ways: the upstream's to reach the end of its frame, the client's for its
    // close reply.
    client.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
    if (toClient.atBoundary()) {
      sendClose();
    }
  }

  private void sendClose() {
    closeSent = true;
    client.writeAndFlush(closeFrame(client.alloc(), reason, false), client.voidPromise());
    ByteBuf last =
        upstreamBetweenFrames ? closeFrame(upstream.alloc(), reason, true) : Unpooled.EMPTY_BUFFER;
    upstream.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    if (toUpstream.sawClose()) {
      // The client had sent its own close already: nothing more to wait for.
      closeAll();
    }
  }

  private void forward(Side from, ByteBuf b) {
    if (ended) {
      b.release();
      return;
    }
    int ri = b.readerIndex();
    int wi = b.writerIndex();
    if (from == clientSide) {
      if (goingAway) {
        // Only the client's close reply is waited for; nothing more goes upstream.
        if (toUpstream != null) {
          toUpstream.scan(b, ri, wi, false);
        }
        b.release();
        if (closeSent && toUpstream.sawClose()) {
          closeAll();
        }
        return;
      }
      if (toUpstream != null) {
        toUpstream.scan(b, ri, wi, false);
      }
      write(from, upstream, b);
      return;
    }
    if (goingAway) {
      if (closeSent) {
        b.release();
        return;
      }
      // Up to the end of the frame in progress, then the close frame; the rest is dropped.
      int end = toClient.scan(b, ri, wi, true);
      if (end > ri) {
        client.write(b.retainedSlice(ri, end - ri), client.voidPromise());
      }
      b.release();
      if (toClient.atBoundary()) {
        sendClose();
      }
      return;
    }
    if (toClient != null) {
      toClient.scan(b, ri, wi, false);
    }
    write(from, client, b);
  }

  private void write(Side from, Channel to, ByteBuf b) {
    to.write(b, to.voidPromise());
    from.wrote = true;
    if (!to.isWritable()) {
      from.flushPeer();
      if (!to.isWritable()) {
        from.self().config().setAutoRead(false);
      }
    }
  }

  private void onInactive(Side side) {
    if (side == upstreamSide && closeSent && client.isActive()) {
      // The router closed the upstream itself; the client's close reply is awaited.
      return;
    }
    closeAll();
  }

  /** Ends the tunnel: what was written goes out, then both connections close. */
  private void closeAll() {
    end();
    closeAfterFlush(client);
    closeAfterFlush(upstream);
  }

  private void closeAfterFlush(Channel ch) {
    if (!ch.isActive()) {
      ch.close();
      return;
    }
    // Whatever was written goes out first, however slowly the peer reads (the other side may have
    // sent its last bytes and closed); a peer that stops reading altogether is closed after the
    // tunnel's idle timeout.
    ScheduledFuture<?> hard =
        ch.eventLoop().schedule(() -> ch.close(), idleNanos, TimeUnit.NANOSECONDS);
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            f -> {
              hard.cancel(false);
              ch.close();
            });
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    cancelTimers();
    listener.tunnels[loop].remove(this);
    metrics.tunnelClosed(loop);
    endpoint.tunnelClosed(loop);
  }

  private void cancelTimers() {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    if (drainTimer != null) {
      drainTimer.cancel(false);
      drainTimer = null;
    }
    if (closeTimer != null && ended) {
      closeTimer.cancel(false);
      closeTimer = null;
    }
  }

  /** A close frame with status 1001 and a short reason; masked when it goes to the upstream. */
  static ByteBuf closeFrame(ByteBufAllocator alloc, String reason, boolean masked) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + text.length];
    payload[0] = (byte) (GOING_AWAY >> 8);
    payload[1] = (byte) GOING_AWAY;
    System.arraycopy(text, 0, payload, 2, text.length);
    ByteBuf b = alloc.buffer(2 + (masked ? 4 : 0) + payload.length);
    b.writeByte(0x88); // FIN and opcode 8 (close)
    b.writeByte((masked ? 0x80 : 0) | payload.length);
    if (masked) {
      // A client's frames are masked with a fresh unpredictable key (RFC 6455 5.3).
      byte[] key = new byte[4];
      ThreadLocalRandom.current().nextBytes(key);
      b.writeBytes(key);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= key[i & 3];
      }
    }
    return b.writeBytes(payload);
  }

  /** One connection's end of the tunnel. */
  private final class Side extends ChannelInboundHandlerAdapter {
    private final boolean fromClient;
    boolean wrote;

    Side(boolean fromClient) {
      this.fromClient = fromClient;
    }

    Channel self() {
      return fromClient ? client : upstream;
    }

    Channel peer() {
      return fromClient ? upstream : client;
    }

    void flushPeer() {
      if (wrote) {
        wrote = false;
        peer().flush();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf b)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      lastActivity = System.nanoTime();
      forward(this, b);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushPeer();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && !ended) {
        // This side takes bytes again: the other side may read again.
        peer().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      onInactive(this);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets and broken pipes are how tunnels often end; closing is all there is to do.
      ctx.close();
    }
  }
}
