package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The end of one upstream connection: reads the response of the exchange that owns the connection
 * and forwards it to the client as bytes, or, while the connection sits idle in a pool, closes it
 * on any surprise.
 *
 * <p>The response head is parsed in the read buffer and rewritten there (hop-by-hop fields out,
 * status line HTTP/1.1), and the body follows as it came: a head and body that arrive in one read
 * leave as one slice of that read buffer, so one write. Only an HTTP/1.0 client (chunks removed)
 * and a body that ends with the connection (chunks added for an HTTP/1.1 client) change body bytes.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** Body bytes go to the client as they came. */
  static final int OUT_RAW = 0;

  /** Chunk framing is removed (an HTTP/1.0 client). */
  static final int OUT_DECHUNK = 1;

  /** Each piece becomes a chunk (a body ended by closing, for an HTTP/1.1 client). */
  static final int OUT_CHUNK = 2;

  private static final ByteBuf CRLF =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer(2).writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII)));
  private static final ByteBuf LAST_CHUNK =
      Unpooled.unreleasableBuffer(
          Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

  private final HeadParser parser;
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

  /** Where the current response body ends; set by the owner when the head arrives. */
  final BodyFraming body = new BodyFraming();

  /** How the body goes to the client (OUT_ constants); set by the owner with the head. */
  int out;

  /** Whether the connection may carry another exchange after this response; set with the head. */
  boolean reusable;

  /** Whether the response is a 101 that turns the connection into a tunnel; set with the head. */
  boolean upgraded;

  /** Where the body's data bytes are copied for a shadow comparison, or null; set with the head. */
  @Nullable BodyCapture capture;

  // The response in progress.
  private @Nullable ByteBuf in;
  private int scan;
  private boolean inBody;
  private int generation;

  UpstreamHandler(HeadParser parser) {
    this.parser = parser;
  }

  Channel channel() {
    return channel;
  }

  /** Starts reading a new response, for a new owner or a new attempt. */
  void startResponse() {
    generation++;
    capture = null;
    upgraded = false;
    inBody = false;
    scan = 0;
    releaseInput();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ClientHandler o = owner;
    if (o == null || !(msg instanceof ByteBuf buf)) {
      // Bytes on an idle connection: the upstream is confused; drop the connection.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    in = Cumulation.append(ctx.alloc(), in, buf);
    read(ctx, o);
  }

  private void read(ChannelHandlerContext ctx, ClientHandler o) {
    ByteBuf b = in;
    int g = generation;
    int emitFrom = b.readerIndex();
    while (owner == o && generation == g) {
      if (!inBody) {
        if (!b.isReadable()) {
          break;
        }
        int len = parser.parse(b, scan, false);
        if (len == 0) {
          scan = parser.hint();
          break;
        }
        scan = 0;
        int start = b.readerIndex();
        if (len < 0) {
          fail(o, ClientHandler.FAIL_BAD_RESPONSE);
          return;
        }
        int end = start + len;
        int code = parser.status();
        int adds;
        if (code < 200 && code != 101) {
          // 100 Continue and friends: forwarded to HTTP/1.1 clients; the real response follows.
          if (!o.forwardsInformational()) {
            emit(o, b, emitFrom, start);
            emitFrom = end;
            b.readerIndex(end);
            continue;
          }
          adds = 0;
        } else if (code == 101 && !o.upgradeOffered()) {
          // A protocol switch that was not offered: what follows is no HTTP the router can frame,
          // so none of it may reach the client as a response (or a next one).
          fail(o, ClientHandler.FAIL_BAD_RESPONSE);
          return;
        } else {
          if (emitFrom == start && o.onFinalStatus(this, code)) {
            // Dropped for a retry elsewhere: the owner let go of this connection and closed it.
            return;
          }
          adds = o.onResponseHead(this, parser);
          inBody = true;
        }
        int at = parser.rewriteResponseHead(b, start, adds);
        if (at < 0) {
          emit(o, b, emitFrom, start);
          o.toClient(parser.copyResponseHead(ctx.alloc(), adds));
          emitFrom = end;
        } else if (at != start) {
          emit(o, b, emitFrom, start);
          emitFrom = at;
        }
        b.readerIndex(end);
        continue;
      }
      int before = b.readerIndex();
      int r = body.next(b);
      int at = b.readerIndex();
      if (r > 0 && capture != null) {
        capture.append(b, at, r);
      }
      if (out == OUT_DECHUNK && at != before) {
        // Framing was stepped over: what came before it goes, the framing does not.
        emit(o, b, emitFrom, before);
        emitFrom = at;
      }
      if (r > 0) {
        if (out != OUT_CHUNK) {
          b.readerIndex(at + r);
        } else {
          emit(o, b, emitFrom, at);
          o.toClient(ctx.alloc().buffer(10).writeBytes(chunkSize(r)));
          o.toClient(b.retainedSlice(at, r));
          o.toClient(CRLF.duplicate());
          emitFrom = at + r;
          b.readerIndex(at + r);
        }
        continue;
      }
      if (r == BodyFraming.NEED_MORE) {
        break;
      }
      if (r == BodyFraming.ERROR) {
        fail(o, ClientHandler.FAIL_BAD_RESPONSE);
        return;
      }
      // The response has ended.
      emit(o, b, emitFrom, at);
      if (upgraded) {
        // A 101: the bytes after its head are the new protocol's, and go to the tunnel.
        ByteBuf early = b.isReadable() ? b.retainedSlice() : null;
        releaseInput();
        inBody = false;
        upgraded = false;
        o.onUpgraded(this, early);
        return;
      }
      boolean leftover = b.isReadable();
      releaseInput();
      inBody = false;
      o.onResponseEnd(this, reusable && !leftover);
      return;
    }
    if (in == b) {
      int to = b.readerIndex();
      if (to == b.writerIndex() && owner == o && generation == g) {
        // All of the read buffer is used: pass it on whole instead of a slice of it.
        in = null;
        if (to > emitFrom) {
          b.readerIndex(emitFrom);
          o.toClient(b);
        } else {
          b.release();
        }
      } else if (owner == o && generation == g) {
        emit(o, b, emitFrom, to);
      }
    }
  }

  private static byte[] chunkSize(int size) {
    return (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static void emit(ClientHandler o, ByteBuf b, int from, int to) {
    if (to > from) {
      o.toClient(b.retainedSlice(from, to - from));
    }
  }

  private void fail(ClientHandler o, int kind) {
    releaseInput();
    inBody = false;
    o.onUpstreamFailure(this, kind);
  }

  private void releaseInput() {
    ByteBuf b = in;
    if (b != null) {
      in = null;
      b.release();
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
    if (o != null && inBody && body.endsWithClose()) {
      // The end of a body delimited by the connection's close.
      releaseInput();
      inBody = false;
      if (out == OUT_CHUNK) {
        o.toClient(LAST_CHUNK.duplicate());
      }
      o.onResponseEnd(this, false);
    } else if (o != null) {
      fail(o, ClientHandler.FAIL_CLOSED);
    } else {
      releaseInput();
      if (pooled && endpoint != null) {
        endpoint.removeIdle(loop, this);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientHandler o = owner;
    if (o != null) {
      fail(o, ClientHandler.FAIL_CLOSED);
    }
    ctx.close();
  }
}
