package dev.sluice.router.internal;

import dev.sluice.router.health.HealthCheckOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The checks of one endpoint, run on one event loop: every interval a new connection sends {@code
 * GET path}; a 2xx status within the timeout passes, anything else fails. Consecutive passes and
 * failures move the endpoint between healthy and unhealthy (the thresholds of the options, as in
 * nginx's and HAProxy's active checks). All state is confined to the loop.
 */
final class HealthProbe {

  final EndpointState state;
  private final HealthChecker checker;
  private final HealthCheckOptions options;
  private final EventLoop loop;
  private final Bootstrap bootstrap;

  private volatile boolean stopped;
  private @Nullable ScheduledFuture<?> schedule;
  private int round;
  private boolean running;
  private @Nullable Channel channel;
  private @Nullable ScheduledFuture<?> timeout;
  private int passes;
  private int failures;

  HealthProbe(HealthChecker checker, EndpointState state, HealthCheckOptions options, EventLoop l) {
    this.checker = checker;
    this.state = state;
    this.options = options;
    this.loop = l;
    int timeoutMillis =
        (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.timeout().toMillis()));
    this.bootstrap =
        new Bootstrap()
            .group(l)
            .channel(checker.transport().socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (options.h2c()) {
                      ch.pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient().build(),
                              new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                              new H2PrefaceFailure(round));
                    } else {
                      ch.pipeline().addLast(new HttpClientCodec(), new ResponseHandler(round));
                    }
                  }
                });
  }

  void start() {
    loop.execute(
        () -> {
          if (!stopped) {
            schedule =
                loop.scheduleAtFixedRate(
                    this::check, 0, options.interval().toNanos(), TimeUnit.NANOSECONDS);
          }
        });
  }

  void stop() {
    stopped = true;
    loop.execute(
        () -> {
          if (schedule != null) {
            schedule.cancel(false);
          }
          endRound();
        });
  }

  /** Forgets passes so far (after a mark-down, the full threshold must pass again). */
  void restartCount() {
    loop.execute(() -> passes = 0);
  }

  private void check() {
    if (stopped || running) {
      return;
    }
    running = true;
    int r = ++round;
    timeout =
        loop.schedule(
            () -> result(r, false, "timeout after " + options.timeout().toMillis() + " ms"),
            options.timeout().toNanos(),
            TimeUnit.NANOSECONDS);
    ChannelFuture f = bootstrap.connect(state.address);
    channel = f.channel();
    f.addListener(
        (ChannelFutureListener)
            done -> {
              if (!done.isSuccess()) {
                result(r, false, describe(done.cause()));
                return;
              }
              if (options.h2c()) {
                sendH2(done.channel(), r);
                return;
              }
              DefaultFullHttpRequest req =
                  new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, options.path());
              req.headers()
                  .set(HttpHeaderNames.HOST, state.endpoint.host() + ":" + state.endpoint.port())
                  .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                  .set(HttpHeaderNames.USER_AGENT, "sluice-health");
              done.channel().writeAndFlush(req);
            });
  }

  /** Sends the check as one stream of a new h2c connection. */
  private void sendH2(Channel parent, int r) {
    new Http2StreamChannelBootstrap(parent)
        .handler(new H2ResponseHandler(r))
        .open()
        .addListener(
            (io.netty.util.concurrent.Future<Http2StreamChannel> f) -> {
              if (!f.isSuccess()) {
                result(r, false, "GET " + options.path() + ": " + describe(f.cause()));
                return;
              }
              Http2Headers h =
                  new DefaultHttp2Headers()
                      .method("GET")
                      .scheme("http")
                      .path(options.path())
                      .authority(state.endpoint.host() + ":" + state.endpoint.port())
                      .add("user-agent", "sluice-health");
              f.getNow().writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
            });
  }

  private void result(int r, boolean passed, String reason) {
    if (r != round || !running) {
      return;
    }
    endRound();
    if (stopped) {
      return;
    }
    if (passed) {
      failures = 0;
      passes++;
      if (!state.healthy && passes >= options.healthyThreshold()) {
        checker.setHealthy(state, true, reason);
      }
    } else {
      passes = 0;
      failures++;
      if (state.healthy && failures >= options.unhealthyThreshold()) {
        checker.setHealthy(state, false, reason);
      }
    }
  }

  private void endRound() {
    running = false;
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static String describe(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return "connect timeout";
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  /** Reads the {@code :status} of one h2c check's response. */
  private final class H2ResponseHandler extends ChannelInboundHandlerAdapter {
    private final int r;

    H2ResponseHandler(int r) {
      this.r = r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame f && f.headers().status() != null) {
          String status = f.headers().status().toString();
          if (!status.startsWith("1")) {
            int code;
            try {
              code = Integer.parseInt(status);
            } catch (NumberFormatException e) {
              code = 0;
            }
            result(r, code >= 200 && code < 300, "GET " + options.path() + ": " + status);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result(r, false, "GET " + options.path() + ": stream closed without a response");
    }
  }

  /** Fails the round when an h2c connection ends (or errs) before the check's answer. */
  private final class H2PrefaceFailure extends ChannelInboundHandlerAdapter {
    private final int r;

    H2PrefaceFailure(int r) {
      this.r = r;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result(r, false, "GET " + options.path() + ": connection closed without an HTTP/2 response");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result(r, false, "GET " + options.path() + ": " + describe(cause));
      ctx.close();
    }
  }

  /** Reads the status line of one check's response. */
  private final class ResponseHandler extends ChannelInboundHandlerAdapter {
    private final int r;

    ResponseHandler(int r) {
      this.r = r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse res) {
          int code = res.status().code();
          result(r, code >= 200 && code < 300, "GET " + options.path() + ": " + code);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result(r, false, "GET " + options.path() + ": connection closed without a response");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result(r, false, "GET " + options.path() + ": " + describe(cause));
      ctx.close();
    }
  }
}
