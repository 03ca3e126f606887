package dev.sluice.router.internal;

import dev.sluice.router.Balancing;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Sends shadow copies from one event loop: at most {@code maxShadowInFlight} at a time (more are
 * dropped, so a slow shadow version cannot pile up work), each to a healthy replica of the shadow
 * version over a connection of its own pool, with a timer for the whole exchange. Nothing here is
 * on the client's path: the client's exchange only hands the copy over.
 */
final class ShadowSender {

  private final RouterCore core;
  private final int loop;
  private final EventLoop eventLoop;
  private final Bootstrap bootstrap;
  private final int max;
  private int inFlight;

  ShadowSender(RouterCore core, int loop) {
    this.core = core;
    this.loop = loop;
    this.eventLoop = core.loops[loop];
    this.max = core.options.maxShadowInFlight();
    ShadowSender self = this;
    this.bootstrap =
        new Bootstrap()
            .group(eventLoop)
            .channel(core.transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new ShadowClientHandler(self));
                  }
                });
  }

  int loop() {
    return loop;
  }

  HeadParser parser() {
    return core.responseParsers[loop];
  }

  /** Sends a complete copy, or drops it. Call on this sender's loop. */
  void send(ShadowExchange x) {
    if (inFlight >= max) {
      x.drop("more than maxShadowInFlight copies outstanding");
      return;
    }
    EndpointState e =
        CompiledTable.replica(x.plan.version, Balancing.LEAST_OUTSTANDING, null, null);
    if (e == null) {
      x.drop("no healthy shadow replica");
      return;
    }
    ByteBuf request = x.takeRequest();
    inFlight++;
    x.endpoint = e;
    e.started(loop);
    x.plan.version.metrics.started(loop);
    x.startNanos = core.ticker.nanos();
    x.timeout = eventLoop.schedule(() -> expire(x), x.plan.timeoutNanos, TimeUnit.NANOSECONDS);
    ShadowClientHandler idle = e.pollShadowIdle(loop);
    if (idle != null) {
      idle.start(x, request);
      return;
    }
    ChannelFuture f = bootstrap.connect(e.address);
    f.addListener(
        (ChannelFutureListener)
            done -> {
              if (!done.isSuccess()) {
                request.release();
                ended(x, false, 502, "connect: " + done.cause().getMessage());
                return;
              }
              ShadowClientHandler h = done.channel().pipeline().get(ShadowClientHandler.class);
              h.endpoint = e;
              if (x.shadowState != ShadowExchange.PENDING) {
                // Timed out while connecting.
                request.release();
                e.offerShadowIdle(loop, h, core.options.maxIdlePerEndpoint());
                return;
              }
              h.start(x, request);
            });
  }

  private void expire(ShadowExchange x) {
    if (x.shadowState != ShadowExchange.PENDING) {
      return;
    }
    ShadowClientHandler c = x.connection;
    if (c != null) {
      c.abandon();
    }
    ended(x, false, 504, "timeout");
  }

  /** Ends a copy that was sent: metrics of the shadow version, the pair, the in-flight count. */
  void ended(ShadowExchange x, boolean ok, int status, String why) {
    if (x.shadowState != ShadowExchange.PENDING) {
      return;
    }
    inFlight--;
    if (x.timeout != null) {
      x.timeout.cancel(false);
    }
    x.connection = null;
    EndpointState e = x.endpoint;
    if (e != null) {
      e.ended(loop);
    }
    VersionMetrics m = x.plan.version.metrics;
    if (!ok) {
      m.upstreamFailed(loop);
    }
    m.completed(loop, status, (core.ticker.nanos() - x.startNanos) / 1000);
    x.shadowEnded(ok, why);
  }

  /** A connection finished its exchange cleanly and may carry another. */
  void reuse(ShadowClientHandler h) {
    EndpointState e = h.endpoint;
    if (e != null) {
      e.offerShadowIdle(loop, h, core.options.maxIdlePerEndpoint());
    } else {
      h.channel().close();
    }
  }
}
