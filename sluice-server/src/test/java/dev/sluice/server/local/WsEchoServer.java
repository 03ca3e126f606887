package dev.sluice.server.local;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket app for the daemon's tests: at {@code /ws} it answers each text message with {@code
 * "VERSION:text"}, at any other path 200 (health). Run in the test JVM with {@link #start}, or as a
 * replica process with {@link #main} (version as argument, port from {@code $PORT}).
 */
public final class WsEchoServer {
  private WsEchoServer() {}

  public static void main(String[] args) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Channel server = start(group, Integer.parseInt(System.getenv("PORT")), args[0]);
    server.closeFuture().sync();
  }

  /** Binds on 127.0.0.1 (port 0: a free one) and returns the server channel. */
  public static Channel start(EventLoopGroup group, int port, String version)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new HttpServerCodec(),
                        new HttpObjectAggregator(65536),
                        new WebSocketServerProtocolHandler("/ws"),
                        new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, TextWebSocketFrame f) {
                            ctx.writeAndFlush(new TextWebSocketFrame(version + ":" + f.text()));
                          }
                        },
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, FullHttpRequest r) {
                            DefaultFullHttpResponse ok =
                                new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1,
                                    HttpResponseStatus.OK,
                                    Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                            ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
                            ctx.writeAndFlush(ok).addListener(ChannelFutureListener.CLOSE);
                          }
                        });
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", port))
        .sync()
        .channel();
  }
}
