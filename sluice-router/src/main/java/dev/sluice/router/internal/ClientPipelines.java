package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How a client connection of a listener is set up: TLS or not, then HTTP/1.1 ({@link ClientHandler}
 * on the connection) or HTTP/2 (a frame codec, and per stream an {@link H2RequestBridge} in front
 * of a {@link ClientHandler}).
 *
 * <p>Over TLS the protocol is what ALPN agreed ({@code h2}, else HTTP/1.1). In clear text, with
 * HTTP/2 on, the first bytes decide: the HTTP/2 connection preface (prior knowledge, RFC 9113 3.3)
 * makes an HTTP/2 connection, anything else is HTTP/1.1. The router does not take an {@code
 * Upgrade: h2c} itself: such a request is proxied like any other Upgrade request.
 *
 * <p>HTTP/2 limits: {@value #MAX_STREAMS} concurrent streams per connection and a header list of at
 * most {@link HeadParser#MAX_REQUEST_HEAD} bytes (the HTTP/1.1 head limit), advertised in the
 * SETTINGS and enforced by Netty's codec; a frame that breaks the protocol ends its connection with
 * GOAWAY and no other. An HTTP/2 connection without streams closes after the idle timeout.
 */
final class ClientPipelines {

  /** Concurrent streams a client may open on one connection. */
  static final int MAX_STREAMS = 128;

  private final ListenerImpl listener;

  ClientPipelines(ListenerImpl listener) {
    this.listener = listener;
  }

  void init(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    TlsCertificates tls = listener.tls;
    if (tls != null) {
      SslHandler ssl = tls.current().newHandler(ch.alloc());
      p.addLast(ssl);
      if (listener.http2) {
        p.addLast(new Alpn());
      } else {
        p.addLast(new ClientHandler(listener, true));
      }
    } else if (listener.http2) {
      p.addLast(new PrefaceSniffer());
    } else {
      p.addLast(new ClientHandler(listener, false));
    }
  }

  private void http2(ChannelPipeline p, String after, boolean secure) {
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forServer()
            .initialSettings(
                Http2Settings.defaultSettings()
                    .maxConcurrentStreams(MAX_STREAMS)
                    .maxHeaderListSize(HeadParser.MAX_REQUEST_HEAD))
            .build();
    long idle = listener.idleTimeoutNanos;
    p.addAfter(after, null, new IdleStateHandler(0, 0, idle, TimeUnit.NANOSECONDS));
    String codecName = "h2";
    p.addLast(codecName, codec);
    p.addLast(
        new Http2MultiplexHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream
                    .pipeline()
                    .addLast(new H2RequestBridge(), new ClientHandler(listener, secure));
              }
            }));
    p.addLast(new IdleConnection(codec));
  }

  /** Picks the pipeline ALPN agreed on, after the TLS handshake. */
  private final class Alpn extends ApplicationProtocolNegotiationHandler {
    Alpn() {
      super(ApplicationProtocolNames.HTTP_1_1);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        http2(ctx.pipeline(), ctx.name(), true);
      } else {
        ctx.pipeline().addAfter(ctx.name(), null, new ClientHandler(listener, true));
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // Scanners and clients that distrust the certificate: nothing to log per connection.
      ctx.close();
    }
  }

  /** Reads the first bytes of a clear-text connection: the HTTP/2 preface or HTTP/1.1. */
  private final class PrefaceSniffer extends ChannelInboundHandlerAdapter {
    private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
    private @Nullable ByteBuf in;
    private @Nullable ScheduledFuture<?> idle;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      idle =
          ctx.executor()
              .schedule(
                  () -> {
                    ctx.close();
                  },
                  listener.idleTimeoutNanos,
                  TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      in = in == null ? buf : Cumulation.append(ctx.alloc(), in, buf);
      ByteBuf b = in;
      int n = Math.min(b.readableBytes(), preface.readableBytes());
      boolean same = ByteBufUtil.equals(b, b.readerIndex(), preface, preface.readerIndex(), n);
      if (same && n < preface.readableBytes()) {
        return;
      }
      if (idle != null) {
        idle.cancel(false);
      }
      ChannelPipeline p = ctx.pipeline();
      if (same) {
        http2(p, ctx.name(), false);
      } else {
        p.addAfter(ctx.name(), null, new ClientHandler(listener, false));
      }
      in = null;
      p.remove(this);
      ctx.fireChannelRead(b);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      preface.release();
      if (idle != null) {
        idle.cancel(false);
      }
      ByteBuf b = in;
      if (b != null) {
        in = null;
        b.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Closes an HTTP/2 connection that had no stream for the idle timeout; ends on errors. */
  private static final class IdleConnection extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;

    IdleConnection(Http2FrameCodec codec) {
      this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // HTTP/2 errors are the codec's: it shows them to the pipeline, then sends GOAWAY (a
      // connection error, with its code) or RST_STREAM itself. Anything else ends the connection.
      if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
        ctx.close();
      }
    }
  }
}
