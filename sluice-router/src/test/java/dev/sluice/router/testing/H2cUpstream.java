package dev.sluice.router.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/2 server on 127.0.0.1 port 0 that speaks only h2c with prior knowledge (as gRPC
 * servers do), for tests of the router's h2c upstreams.
 *
 * <p>A request with {@code content-type: application/grpc} gets a gRPC-shaped answer: on path
 * {@code /test.Echo/Missing} a trailers-only response with {@code grpc-status: 5}; else HEADERS,
 * one length-prefixed message {@code echo:} + each request message, and trailers {@code
 * grpc-status: 0}, {@code grpc-message: ok}. Any other request gets 200 and a text body: the server
 * id, the method and path, then the request fields one per line.
 */
public final class H2cUpstream implements AutoCloseable {

  public final String id;
  public final AtomicInteger streams = new AtomicInteger();
  public final AtomicInteger connections = new AtomicInteger();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  private H2cUpstream(String id) throws InterruptedException {
    this.id = id;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().build(),
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Channel>() {
                                  @Override
                                  protected void initChannel(Channel stream) {
                                    streams.incrementAndGet();
                                    stream.pipeline().addLast(new StreamHandler());
                                  }
                                }));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public static H2cUpstream start(String id) {
    try {
      return new H2cUpstream(id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private Http2Headers request;
    private final ByteBuf body = Unpooled.buffer();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = false;
        if (msg instanceof Http2HeadersFrame h) {
          if (request == null) {
            request = h.headers();
          }
          end = h.isEndStream();
        } else if (msg instanceof Http2DataFrame d) {
          body.writeBytes(d.content());
          end = d.isEndStream();
        }
        if (end) {
          respond(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void respond(ChannelHandlerContext ctx) {
      CharSequence type = request.get("content-type");
      if (type != null && type.toString().startsWith("application/grpc")) {
        grpc(ctx);
        return;
      }
      StringBuilder text = new StringBuilder(id).append('\n');
      text.append(request.method()).append(' ').append(request.path()).append('\n');
      for (Map.Entry<CharSequence, CharSequence> e : request) {
        text.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
      }
      text.append("body-bytes: ").append(body.readableBytes()).append('\n');
      ctx.write(
          new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers().status("200").add("content-type", "text/plain"), false));
      ctx.writeAndFlush(
          new DefaultHttp2DataFrame(
              Unpooled.copiedBuffer(text.toString(), StandardCharsets.UTF_8), true));
    }

    private void grpc(ChannelHandlerContext ctx) {
      if ("/test.Echo/Missing".contentEquals(request.path())) {
        ctx.writeAndFlush(
            new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers()
                    .status("200")
                    .add("content-type", "application/grpc")
                    .add("grpc-status", "5")
                    .add("grpc-message", "no such method"),
                true));
        return;
      }
      ByteBuf out = Unpooled.buffer();
      while (body.readableBytes() >= 5) {
        body.readByte();
        int len = body.readInt();
        byte[] msg = new byte[len];
        body.readBytes(msg);
        byte[] echo =
            ("echo:" + new String(msg, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        out.writeByte(0).writeInt(echo.length).writeBytes(echo);
      }
      ctx.write(
          new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers()
                  .status("200")
                  .add("content-type", "application/grpc")
                  .add("x-te-seen", String.valueOf(request.get("te"))),
              false));
      ctx.write(new DefaultHttp2DataFrame(out, false));
      ctx.writeAndFlush(
          new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers().add("grpc-status", "0").add("grpc-message", "ok"), true));
    }
  }
}
