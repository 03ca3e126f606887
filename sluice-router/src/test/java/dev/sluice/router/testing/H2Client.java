package dev.sluice.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Netty HTTP/2 client with prior knowledge (h2c): one connection, a stream per {@link #send}. */
public final class H2Client implements AutoCloseable {

  /** A response: its head, body bytes and trailers (null when the head ended the stream). */
  public record Response(Http2Headers headers, byte[] body, Http2Headers trailers) {
    public int status() {
      return Integer.parseInt(headers.status().toString());
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;

  public H2Client(InetSocketAddress address) throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  }
                })
            .connect(address)
            .sync()
            .channel();
  }

  public Channel channel() {
    return channel;
  }

  /** A GET of {@code path} with these extra fields (name, value, ...). */
  public static Http2Headers get(String path, String... fields) {
    Http2Headers h =
        new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("shop.test");
    for (int i = 0; i < fields.length; i += 2) {
      h.add(fields[i], fields[i + 1]);
    }
    return h;
  }

  /** Sends a request and waits (at most 10 s) for its response. */
  public Response send(Http2Headers headers, byte[] body) throws Exception {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Http2StreamChannel stream =
        new Http2StreamChannelBootstrap(channel)
            .handler(new Collector(result))
            .open()
            .get(10, TimeUnit.SECONDS);
    boolean empty = body.length == 0;
    stream.write(new DefaultHttp2HeadersFrame(headers, empty));
    if (!empty) {
      stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
    }
    stream.flush();
    return result.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> result;
    private Http2Headers head;
    private Http2Headers trailers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    Collector(CompletableFuture<Response> result) {
      this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = false;
        if (msg instanceof Http2HeadersFrame h) {
          CharSequence status = h.headers().status();
          if (head == null && status != null && status.charAt(0) == '1') {
            return;
          }
          if (head == null) {
            head = h.headers();
          } else {
            trailers = h.headers();
          }
          end = h.isEndStream();
        } else if (msg instanceof Http2DataFrame d) {
          ByteBuf c = d.content();
          byte[] b = new byte[c.readableBytes()];
          c.readBytes(b);
          body.writeBytes(b);
          end = d.isEndStream();
        } else if (msg instanceof Http2ResetFrame r) {
          result.completeExceptionally(new IllegalStateException("stream reset: " + r.errorCode()));
        }
        if (end) {
          result.complete(new Response(head, body.toByteArray(), trailers));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.completeExceptionally(new IllegalStateException("stream closed before its end"));
    }
  }
}
