package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * One connection to a shadow replica: writes a copied request and reads its response with the
 * loop's {@link HeadParser} and a {@link BodyFraming}, keeping the compared parts, then goes back
 * to its pool when the response ended cleanly.
 */
final class ShadowClientHandler extends ChannelInboundHandlerAdapter {

  private final ShadowSender sender;
  private final BodyFraming body = new BodyFraming();
  private @Nullable Channel channel;
  private @Nullable ShadowExchange x;
  private @Nullable ByteBuf in;
  private int scan;
  private boolean inBody;
  private boolean reusable;

  @Nullable EndpointState endpoint;
  boolean pooled;

  ShadowClientHandler(ShadowSender sender) {
    this.sender = sender;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  /** Sends a copy on this connection. */
  void start(ShadowExchange exchange, ByteBuf request) {
    x = exchange;
    exchange.connection = this;
    scan = 0;
    inBody = false;
    releaseInput();
    ShadowExchange mine = exchange;
    channel
        .writeAndFlush(request)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() && x == mine) {
                    fail("write: " + f.cause().getMessage());
                  }
                });
  }

  /** The exchange gave up on this connection (timeout): it cannot be reused. */
  void abandon() {
    x = null;
    channel.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ShadowExchange ex = x;
    if (ex == null || !(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    in = Cumulation.append(ctx.alloc(), in, buf);
    ByteBuf b = in;
    while (x == ex) {
      if (!inBody) {
        if (!b.isReadable()) {
          break;
        }
        HeadParser p = sender.parser();
        int len = p.parse(b, scan, false);
        if (len == 0) {
          scan = p.hint();
          break;
        }
        scan = 0;
        if (len < 0) {
          fail("invalid response");
          return;
        }
        int code = p.status();
        b.skipBytes(len);
        if (code < 200) {
          continue;
        }
        ex.shadowHead(p);
        reusable = p.keepAlive();
        if (code == 204 || code == 304 || ex.headRequest) {
          body.length(0);
        } else if (p.chunked()) {
          body.chunked();
        } else if (p.contentLength() >= 0) {
          body.length(p.contentLength());
        } else {
          body.untilClose();
          reusable = false;
        }
        inBody = true;
        continue;
      }
      int r = body.next(b);
      if (r > 0) {
        if (ex.shadowBody != null) {
          ex.shadowBody.append(b, b.readerIndex(), r);
        }
        b.skipBytes(r);
        continue;
      }
      if (r == BodyFraming.NEED_MORE) {
        break;
      }
      if (r == BodyFraming.ERROR) {
        fail("invalid response body");
        return;
      }
      boolean leftover = b.isReadable();
      done(reusable && !leftover);
      return;
    }
    if (!b.isReadable() && in == b) {
      in = null;
      b.release();
    }
  }

  private void done(boolean reuse) {
    ShadowExchange ex = x;
    x = null;
    inBody = false;
    releaseInput();
    sender.ended(ex, true, ex.shadowStatus, "");
    if (reuse) {
      sender.reuse(this);
    } else {
      channel.close();
    }
  }

  private void fail(String why) {
    ShadowExchange ex = x;
    x = null;
    releaseInput();
    channel.close();
    if (ex != null) {
      sender.ended(ex, false, 502, why);
    }
  }

  private void releaseInput() {
    ByteBuf b = in;
    if (b != null) {
      in = null;
      b.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ShadowExchange ex = x;
    if (ex != null && inBody && body.endsWithClose()) {
      done(false);
    } else if (ex != null) {
      fail("connection closed");
    } else {
      releaseInput();
      if (pooled && endpoint != null) {
        endpoint.removeShadowIdle(sender.loop(), this);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(String.valueOf(cause.getMessage()));
  }
}
