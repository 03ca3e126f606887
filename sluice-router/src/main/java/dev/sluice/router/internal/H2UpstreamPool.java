package dev.sluice.router.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * HTTP/2 cleartext (h2c, prior knowledge) connections of one listener to its replicas: per event
 * loop and replica, a few multiplexed connections, each request on a new stream of one of them.
 *
 * <p>A request takes the first open (or opening) connection that may open another stream under the
 * replica's {@code SETTINGS_MAX_CONCURRENT_STREAMS}; when none may, another connection is opened.
 * Everything here is confined to its event loop, like the HTTP/1.1 pools. A connection to a retired
 * replica is closed gracefully: GOAWAY, and its streams in flight finish first.
 */
final class H2UpstreamPool {

  /** Our stream window: 1 MiB per stream, so one slow client does not stall a connection. */
  private static final int STREAM_WINDOW = 1 << 20;

  private final Bootstrap[] bootstraps;
  private final HeadParser[] responseParsers;
  private final List<HashMap<EndpointState, List<ChannelFuture>>> connections = new ArrayList<>();

  H2UpstreamPool(Bootstrap[] plain, HeadParser[] responseParsers) {
    this.responseParsers = responseParsers;
    this.bootstraps = new Bootstrap[plain.length];
    for (int i = 0; i < plain.length; i++) {
      connections.add(new HashMap<>());
      bootstraps[i] =
          plain[i]
              .clone()
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient()
                                  .initialSettings(
                                      Http2Settings.defaultSettings()
                                          .pushEnabled(false)
                                          .initialWindowSize(STREAM_WINDOW))
                                  .build(),
                              new Http2MultiplexHandler(new RefusePush()),
                              new CloseOnError());
                    }
                  });
    }
  }

  /**
   * Opens a stream to the replica on loop {@code loop}; the future fails like a connect (with the
   * connect's cause) when no connection can be had. Call on that loop.
   */
  Future<Channel> open(EndpointState e, int loop) {
    Promise<Channel> stream = bootstraps[loop].config().group().next().newPromise();
    ChannelFuture conn = connection(e, loop);
    if (conn.isDone()) {
      openStream(conn, stream, loop);
    } else {
      conn.addListener(done -> openStream(conn, stream, loop));
    }
    return stream;
  }

  private ChannelFuture connection(EndpointState e, int loop) {
    List<ChannelFuture> list = connections.get(loop).computeIfAbsent(e, k -> new ArrayList<>(2));
    list.removeIf(f -> f.isDone() && (!f.isSuccess() || !f.channel().isActive()));
    for (ChannelFuture f : list) {
      if (!f.isDone()) {
        return f;
      }
      Http2FrameCodec codec = f.channel().pipeline().get(Http2FrameCodec.class);
      if (codec != null && codec.connection().local().canOpenStream()) {
        return f;
      }
    }
    ChannelFuture f = bootstraps[loop].connect(e.address);
    list.add(f);
    f.channel().closeFuture().addListener(c -> list.remove(f));
    return f;
  }

  private void openStream(ChannelFuture conn, Promise<Channel> stream, int loop) {
    if (!conn.isSuccess()) {
      stream.tryFailure(conn.cause());
      return;
    }
    HeadParser responses = responseParsers[loop];
    new Http2StreamChannelBootstrap(conn.channel())
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new H2UpstreamBridge(), new UpstreamHandler(responses));
              }
            })
        .open()
        .addListener(
            (Future<Http2StreamChannel> f) -> {
              if (f.isSuccess()) {
                stream.trySuccess(f.getNow());
              } else {
                stream.tryFailure(f.cause());
              }
            });
  }

  /** Closes this loop's connections to a replica gracefully. Call on loop {@code loop}. */
  void retire(EndpointState e, int loop) {
    List<ChannelFuture> list = connections.get(loop).remove(e);
    if (list != null) {
      for (ChannelFuture f : List.copyOf(list)) {
        f.channel().close();
      }
    }
  }

  /** Closes every connection of one loop. Call on loop {@code loop}. */
  void closeAll(int loop) {
    for (List<ChannelFuture> list : connections.get(loop).values()) {
      for (ChannelFuture f : List.copyOf(list)) {
        f.channel().close();
      }
    }
    connections.get(loop).clear();
  }

  /** Streams the replica opens (server push is off, so none should come): refused. */
  private static final class RefusePush extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Ends a connection on an error its codec did not handle, without a log line per reset. */
  static final class CloseOnError extends ChannelInboundHandlerAdapter {
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
