package dev.sluice.router.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The end of one upstream connection: hands responses to the client exchange that owns the
 * connection, or, while the connection sits idle in a pool, closes it on any surprise.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private @Nullable Channel channel;

  /** The replica this connection goes to; set right after the connect. */
  @Nullable EndpointState endpoint;

  /** The event loop index of the pool this connection belongs to. */
  int loop;

  /** The exchange using this connection, null while idle. */
  @Nullable ClientHandler owner;

  /** Whether the connection sits in an idle pool. */
  boolean pooled;

  /** Whether the connection came from a pool for the current exchange (a reused one). */
  boolean reused;

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ClientHandler o = owner;
    if (o != null && msg instanceof HttpObject http) {
      o.onUpstreamMessage(http);
    } else {
      // Bytes on an idle connection: the upstream is confused; drop the connection.
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ClientHandler o = owner;
    if (o != null) {
      o.flushToClient();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ClientHandler o = owner;
    if (o != null && ctx.channel().isWritable()) {
      o.onUpstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ClientHandler o = owner;
    if (o != null) {
      o.onUpstreamFailure(this, ClientHandler.FAIL_CLOSED);
    } else if (pooled && endpoint != null) {
      endpoint.removeIdle(loop, this);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientHandler o = owner;
    if (o != null) {
      o.onUpstreamFailure(this, ClientHandler.FAIL_CLOSED);
    }
    ctx.close();
  }
}
