package dev.sluice.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 server on 127.0.0.1 port 0 that tests put behind the router.
 *
 * <p>Paths: {@code /slow?ms=N} answers after N ms; {@code /status/N} answers status N; {@code
 * /big?bytes=N} streams N bytes chunked, as fast as the connection takes them; {@code /upload}
 * counts the request body and answers the count; {@code /health} answers {@link #healthStatus};
 * {@code /close} closes without answering; anything else answers 200 with a body of the server id
 * and the request line and headers it received, one per line.
 */
public final class TestUpstream implements AutoCloseable {

  public final String id;
  public final AtomicInteger connectionsOpened = new AtomicInteger();
  public final AtomicInteger requests = new AtomicInteger();
  public final AtomicLong bigBytesWritten = new AtomicLong();
  public final AtomicLong uploadBytesRead = new AtomicLong();
  public volatile int healthStatus = 200;

  /** While true, /upload stops reading the request body after its headers. */
  public volatile boolean pauseUploads;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;

  private TestUpstream(String id) throws InterruptedException {
    this.id = id;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connectionsOpened.incrementAndGet();
                    open.add(ch);
                    ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public static TestUpstream start(String id) {
    try {
      return new TestUpstream(id);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Returns the number of connections open now. */
  public int openConnections() {
    return open.size();
  }

  /** Lets paused uploads continue. */
  public void resumeUploads() {
    pauseUploads = false;
    for (Channel c : open) {
      c.config().setAutoRead(true);
    }
  }

  /** Stops listening and cuts every open connection, as a crashed process would. */
  public void kill() {
    server.close().syncUninterruptibly();
    open.close().awaitUninterruptibly();
  }

  @Override
  public void close() {
    kill();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private String path = "/";
    private long uploaded;
    private boolean keepAlive;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest req) {
          requests.incrementAndGet();
          keepAlive = HttpUtil.isKeepAlive(req);
          path = new QueryStringDecoder(req.uri()).path();
          uploaded = 0;
          onRequest(ctx, req);
          if (path.equals("/upload") && pauseUploads) {
            ctx.channel().config().setAutoRead(false);
          }
        }
        if (msg instanceof HttpContent c && path.equals("/upload")) {
          uploaded += c.content().readableBytes();
          uploadBytesRead.addAndGet(c.content().readableBytes());
          if (c instanceof LastHttpContent) {
            respond(ctx, HttpResponseStatus.OK, Long.toString(uploaded));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      if (path.equals("/slow")) {
        long ms = Long.parseLong(q.parameters().get("ms").get(0));
        ctx.executor()
            .schedule(() -> respond(ctx, HttpResponseStatus.OK, id), ms, TimeUnit.MILLISECONDS);
      } else if (path.startsWith("/status/")) {
        int code = Integer.parseInt(path.substring("/status/".length()));
        respond(ctx, HttpResponseStatus.valueOf(code), id);
      } else if (path.equals("/health")) {
        respond(ctx, HttpResponseStatus.valueOf(healthStatus), id);
      } else if (path.equals("/close")) {
        ctx.close();
      } else if (path.equals("/unframed")) {
        // An HTTP/1.0-style body: no length, no chunks, ended by closing the connection.
        DefaultHttpResponse res =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.write(res);
        ctx.write(
            new DefaultHttpContent(
                Unpooled.copiedBuffer(id + " unframed", StandardCharsets.UTF_8)));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
            .addListener(ChannelFutureListener.CLOSE);
      } else if (path.equals("/big")) {
        long bytes = Long.parseLong(q.parameters().get("bytes").get(0));
        DefaultHttpResponse res =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(res, true);
        ctx.write(res);
        new BigBody(ctx, bytes).writeMore();
      } else if (!path.equals("/upload")) {
        StringBuilder body = new StringBuilder(id).append('\n');
        body.append(req.method())
            .append(' ')
            .append(req.uri())
            .append(' ')
            .append(req.protocolVersion())
            .append('\n');
        for (Map.Entry<String, String> h : req.headers()) {
          body.append(h.getKey().toLowerCase(java.util.Locale.ROOT))
              .append(": ")
              .append(h.getValue())
              .append('\n');
        }
        respond(ctx, HttpResponseStatus.OK, body.toString());
      }
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      res.headers().set("x-upstream", id);
      res.headers().set("keep-alive", "timeout=5");
      res.headers().set("x-hop", "secret");
      res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? "x-hop" : "close, x-hop");
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** Writes a large chunked body in 64 KiB pieces while the channel is writable. */
  private final class BigBody implements Runnable {
    private final ChannelHandlerContext ctx;
    private long left;

    BigBody(ChannelHandlerContext ctx, long bytes) {
      this.ctx = ctx;
      this.left = bytes;
    }

    void writeMore() {
      io.netty.channel.ChannelFuture lastWrite = null;
      while (left > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(65536, left);
        ByteBuf buf = ctx.alloc().buffer(n);
        buf.writeZero(n);
        left -= n;
        bigBytesWritten.addAndGet(n);
        lastWrite = ctx.write(new DefaultHttpContent(buf));
      }
      if (left == 0) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      ctx.flush();
      if (lastWrite == null) {
        ctx.executor().schedule(this, 1, TimeUnit.MILLISECONDS);
        return;
      }
      // Continue once the kernel took the last piece: that is the backpressure signal.
      lastWrite.addListener(
          f -> {
            if (f.isSuccess()) {
              writeMore();
            }
          });
    }

    @Override
    public void run() {
      writeMore();
    }
  }
}
