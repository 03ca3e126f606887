package dev.sluice.router.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One client connection of a listener and the exchange it is in: receives requests, picks a
 * replica, borrows an upstream connection of the same event loop, streams both bodies with
 * backpressure, and answers 502/503/504 itself when upstream fails.
 *
 * <p>This is the router's deliberate hot spot, written as one state machine without locks or
 * per-request allocations of its own (the exchange state lives in fields that each request resets).
 * Exchanges on one connection run one at a time: messages of a pipelined request wait in {@link
 * #queue} until the previous response is complete, so responses keep their order, and reads pause
 * while anything waits there. Request body chunks that arrive while the upstream connection is
 * still being opened wait in the same queue.
 *
 * <p>Message heads are held back until the first piece of their body arrives (or the read batch
 * ends): a head and a whole body that come together go out as one full message, which the codec
 * encodes into one buffer and the socket sends with one plain write.
 *
 * <p>Retries (after a failed connect, or a connection closed before any response byte) go to
 * another replica only while no request body byte has gone upstream; see {@link
 * #onUpstreamFailure}.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

  static final int FAIL_CONNECT = 1;
  static final int FAIL_CONNECT_TIMEOUT = 2;
  static final int FAIL_CLOSED = 3;
  static final int FAIL_TIMEOUT = 4;
  static final int FAIL_BAD_RESPONSE = 5;

  private static final int BLOCK_QUEUE = 1;
  private static final int BLOCK_UPSTREAM = 2;

  private static final int DEADLINE_NONE = 0;
  private static final int DEADLINE_IDLE = 1;
  private static final int DEADLINE_RESPONSE = 2;

  private final ListenerImpl listener;
  private final RouterCore core;
  private final ArrayDeque<HttpObject> queue = new ArrayDeque<>(4);
  private final Route route = new Route();
  private final Runnable timerTask = this::onTimer;

  private @Nullable ChannelHandlerContext ctx;
  private @Nullable Channel channel;
  private int loop;
  private String clientIp = "";
  private int readBlocks;
  private boolean closed;

  // The current exchange.
  private boolean active;
  private int exchangeId;
  private @Nullable HttpRequest request;
  private boolean idempotent;
  private boolean http10;
  private boolean keepAlive;
  private boolean requestDone;
  private boolean headersSent;
  private boolean holdingRequest;
  private @Nullable HttpResponse heldResponse;
  private boolean bodySent;
  private long startNanos;
  private @Nullable VersionEntry version;
  private @Nullable EndpointState endpoint;
  private @Nullable EndpointState tried1;
  private @Nullable EndpointState tried2;
  private int retries;
  private @Nullable UpstreamHandler upstream;
  private boolean wroteUpstream;
  private boolean wroteClient;
  private boolean responseStarted;
  private boolean informational;
  private int status;
  private boolean upstreamReusable;
  private boolean closeAfterResponse;

  // One timer per connection, re-armed lazily: see setDeadline.
  private int deadlineKind;
  private long deadline;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt;

  ClientHandler(ListenerImpl listener) {
    this.listener = listener;
    this.core = listener.core;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.loop = core.loopIndex(ctx.channel().eventLoop());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      clientIp = a.getAddress().getHostAddress();
    }
    setDeadline(DEADLINE_IDLE, listener.idleTimeoutNanos);
    ctx.fireChannelActive();
  }

  // ---- client side ---------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject http)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!queue.isEmpty() || (active && msg instanceof HttpRequest) || mustHold(msg)) {
      queue.add(http);
      block(BLOCK_QUEUE);
      return;
    }
    dispatch(http);
  }

  /** Whether body content must wait because the upstream connection is still being opened. */
  private boolean mustHold(Object msg) {
    return active && !requestDone && !headersSent && msg instanceof HttpContent;
  }

  private void dispatch(HttpObject msg) {
    if (msg instanceof HttpRequest req) {
      startExchange(req);
    }
    if (msg instanceof HttpContent content) {
      onRequestContent(content);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushToUpstream();
    flushToClient();
  }

  private void flushToUpstream() {
    if (holdingRequest) {
      holdingRequest = false;
      UpstreamHandler u = upstream;
      if (u != null) {
        u.channel().write(request, u.channel().voidPromise());
        wroteUpstream = true;
      }
    }
    if (wroteUpstream) {
      wroteUpstream = false;
      UpstreamHandler u = upstream;
      if (u != null) {
        u.channel().flush();
      }
    }
  }

  void flushToClient() {
    writeHeldResponse();
    if (wroteClient) {
      wroteClient = false;
      ctx.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamHandler u = upstream;
    if (ctx.channel().isWritable() && u != null && !u.channel().config().isAutoRead()) {
      u.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    cancelTimer();
    HttpObject m;
    while ((m = queue.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    if (active) {
      // The client left mid-exchange: the upstream connection is in an unknown state.
      UpstreamHandler u = detachUpstream();
      if (u != null) {
        u.channel().close();
      }
      releaseEndpoint();
      if (version != null) {
        version.metrics.abandoned(loop);
        version = null;
      }
      active = false;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes of clients are routine; closing is all there is to do.
    ctx.close();
  }

  private void startExchange(HttpRequest req) {
    active = true;
    exchangeId++;
    request = req;
    requestDone = false;
    headersSent = false;
    holdingRequest = false;
    heldResponse = null;
    bodySent = false;
    responseStarted = false;
    informational = false;
    closeAfterResponse = false;
    retries = 0;
    tried1 = null;
    tried2 = null;
    startNanos = core.ticker.nanos();
    deadlineKind = DEADLINE_NONE;
    HttpVersion v = req.protocolVersion();
    http10 = v.majorVersion() == 1 && v.minorVersion() == 0;
    keepAlive = HttpUtil.isKeepAlive(req);
    HttpMethod m = req.method();
    idempotent =
        m == HttpMethod.GET
            || m == HttpMethod.HEAD
            || m == HttpMethod.OPTIONS
            || m == HttpMethod.PUT
            || m == HttpMethod.DELETE;
    if (req.decoderResult().isFailure()) {
      keepAlive = false;
      requestDone = true;
      respondError(400, ErrorResponses.BAD_REQUEST);
      return;
    }
    ProxyHeaders.forRequest(req.headers(), clientIp);
    if (http10) {
      req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    CompiledTable table = listener.table;
    boolean found = table.select(route, null, listener.balancing, null, null);
    version = route.version;
    if (version != null) {
      version.metrics.started(loop);
    }
    if (!found) {
      respondError(503, ErrorResponses.NO_HEALTHY_UPSTREAM);
      return;
    }
    useEndpoint(route.endpoint);
    acquire();
  }

  private void onRequestContent(HttpContent content) {
    UpstreamHandler u = upstream;
    if (!active || requestDone || u == null) {
      // The rest of a request whose exchange already ended (answered early or with an error).
      content.release();
      return;
    }
    if (content instanceof LastHttpContent) {
      requestDone = true;
    }
    if (content.content().isReadable()) {
      bodySent = true;
    }
    Channel uc = u.channel();
    if (holdingRequest) {
      holdingRequest = false;
      if (content instanceof LastHttpContent last) {
        HttpRequest r = request;
        uc.write(
            new DefaultFullHttpRequest(
                r.protocolVersion(),
                r.method(),
                r.uri(),
                last.content(),
                r.headers(),
                last.trailingHeaders()),
            uc.voidPromise());
        wroteUpstream = true;
        return;
      }
      uc.write(request, uc.voidPromise());
    }
    uc.write(content, uc.voidPromise());
    wroteUpstream = true;
    if (!uc.isWritable()) {
      flushToUpstream();
      if (!uc.isWritable()) {
        block(BLOCK_UPSTREAM);
      }
    }
  }

  void onUpstreamWritable() {
    unblock(BLOCK_UPSTREAM);
  }

  // ---- upstream side ---------------------------------------------------------------------

  private void useEndpoint(EndpointState e) {
    endpoint = e;
    e.started(loop);
  }

  private void releaseEndpoint() {
    EndpointState e = endpoint;
    if (e != null) {
      e.ended(loop);
      endpoint = null;
    }
  }

  private void acquire() {
    EndpointState e = endpoint;
    UpstreamHandler pooled = e.pollIdle(loop);
    if (pooled != null) {
      pooled.reused = true;
      attach(pooled);
      return;
    }
    int id = exchangeId;
    ChannelFuture f = listener.bootstraps[loop].connect(e.address);
    f.addListener((ChannelFutureListener) done -> onConnected(done, id, e));
  }

  private void onConnected(ChannelFuture done, int id, EndpointState e) {
    if (!done.isSuccess()) {
      if (id == exchangeId && active && endpoint == e && upstream == null && !closed) {
        boolean timeout = done.cause() instanceof ConnectTimeoutException;
        core.healthChecker.connectFailed(e, timeout ? "connect timeout" : "connection refused");
        onUpstreamFailure(null, timeout ? FAIL_CONNECT_TIMEOUT : FAIL_CONNECT);
      }
      return;
    }
    UpstreamHandler h = done.channel().pipeline().get(UpstreamHandler.class);
    h.endpoint = e;
    h.loop = loop;
    h.reused = false;
    if (id != exchangeId || !active || endpoint != e || upstream != null || closed) {
      // The exchange moved on (client gone, timed out): keep the connection for later.
      e.offerIdle(loop, h, core.options.maxIdlePerEndpoint());
      return;
    }
    attach(h);
    flushToUpstream();
  }

  private void attach(UpstreamHandler h) {
    upstream = h;
    h.owner = this;
    Channel uc = h.channel();
    if (!uc.config().isAutoRead()) {
      uc.config().setAutoRead(true);
    }
    HttpRequest r = request;
    if (requestDone) {
      // A retry of a request without body: its end went with the failed attempt.
      uc.write(
          new DefaultFullHttpRequest(
              r.protocolVersion(),
              r.method(),
              r.uri(),
              Unpooled.EMPTY_BUFFER,
              r.headers(),
              HttpHeaders.EMPTY_HEADERS),
          uc.voidPromise());
      wroteUpstream = true;
    } else {
      holdingRequest = true;
    }
    headersSent = true;
    setDeadline(DEADLINE_RESPONSE, listener.requestTimeoutNanos);
    drainQueue();
  }

  private @Nullable UpstreamHandler detachUpstream() {
    UpstreamHandler u = upstream;
    if (u != null) {
      u.owner = null;
      upstream = null;
      wroteUpstream = false;
    }
    holdingRequest = false;
    unblock(BLOCK_UPSTREAM);
    return u;
  }

  void onUpstreamMessage(HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      onUpstreamFailure(upstream, FAIL_BAD_RESPONSE);
      return;
    }
    if (msg instanceof HttpResponse res) {
      onResponseHeaders(res);
    }
    if (msg instanceof HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (informational) {
        if (last) {
          informational = false;
        }
        content.release();
        return;
      }
      if (last) {
        completeExchange(withHeldResponse((LastHttpContent) content));
        return;
      }
      writeHeldResponse();
      ctx.write(content, ctx.voidPromise());
      wroteClient = true;
      if (!channel.isWritable()) {
        flushToClient();
        UpstreamHandler u = upstream;
        if (!channel.isWritable() && u != null) {
          u.channel().config().setAutoRead(false);
        }
      }
    }
  }

  private void onResponseHeaders(HttpResponse res) {
    int code = res.status().code();
    if (code < 200 && code != 101) {
      // 100 Continue and friends: forward to HTTP/1.1 clients, wait for the real response.
      informational = true;
      if (!http10) {
        ctx.write(res, ctx.voidPromise());
        ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
        wroteClient = true;
      }
      return;
    }
    responseStarted = true;
    status = code;
    deadlineKind = DEADLINE_NONE;
    upstreamReusable = HttpUtil.isKeepAlive(res);
    HttpHeaders h = res.headers();
    ProxyHeaders.stripHopByHop(h);
    boolean mayHaveBody = code != 204 && code != 304 && request.method() != HttpMethod.HEAD;
    if (mayHaveBody && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (http10) {
        // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        closeAfterResponse = true;
      } else if (!HttpUtil.isTransferEncodingChunked(res)) {
        // The upstream ends its body by closing; chunk it so the client connection survives.
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    if (!keepAlive) {
      closeAfterResponse = true;
    }
    if (closeAfterResponse) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    heldResponse = res;
  }

  private void writeHeldResponse() {
    HttpResponse res = heldResponse;
    if (res != null) {
      heldResponse = null;
      ctx.write(res, ctx.voidPromise());
      wroteClient = true;
    }
  }

  /** Joins a held response head and its body's end into one full response. */
  private LastHttpContent withHeldResponse(LastHttpContent last) {
    HttpResponse res = heldResponse;
    if (res == null) {
      return last;
    }
    heldResponse = null;
    return new DefaultFullHttpResponse(
        res.protocolVersion(), res.status(), last.content(), res.headers(), last.trailingHeaders());
  }

  private void completeExchange(LastHttpContent last) {
    UpstreamHandler u = detachUpstream();
    if (u != null) {
      // Reusable only when both messages ended; an early answer leaves request bytes unsent.
      if (upstreamReusable && requestDone && u.endpoint != null) {
        if (!u.channel().config().isAutoRead()) {
          u.channel().config().setAutoRead(true);
        }
        u.endpoint.offerIdle(loop, u, core.options.maxIdlePerEndpoint());
      } else {
        u.channel().close();
      }
    }
    finish(last);
    // The upstream handler no longer knows us at its read-complete: flush here.
    flushToClient();
  }

  /**
   * Handles a failed upstream attempt: retries on another replica while that is safe, else answers
   * 502/504 (or, when the response had started, cuts the client connection).
   */
  void onUpstreamFailure(@Nullable UpstreamHandler from, int kind) {
    if (!active || from != upstream) {
      return;
    }
    UpstreamHandler u = detachUpstream();
    boolean reused = u != null && u.reused;
    if (u != null) {
      u.channel().close();
    }
    version.metrics.upstreamFailed(loop);
    if (responseStarted) {
      // Part of the response is already with the client; all we can do is cut it short.
      heldResponse = null;
      releaseEndpoint();
      version.metrics.completed(loop, status, (core.ticker.nanos() - startNanos) / 1000);
      version = null;
      active = false;
      closed = true;
      ctx.close();
      return;
    }
    EndpointState failed = endpoint;
    releaseEndpoint();
    boolean connectFailed = kind == FAIL_CONNECT || kind == FAIL_CONNECT_TIMEOUT;
    boolean safe = connectFailed || kind == FAIL_CLOSED && (reused || idempotent);
    if (safe && !bodySent && retries < listener.maxRetries) {
      retries++;
      if (tried1 == null) {
        tried1 = failed;
      } else {
        tried2 = failed;
      }
      if (listener.table.select(route, version, listener.balancing, tried1, tried2)) {
        if (route.version != version) {
          version.metrics.abandoned(loop);
          version = route.version;
          version.metrics.started(loop);
        }
        headersSent = false;
        useEndpoint(route.endpoint);
        acquire();
        flushToUpstream();
        return;
      }
    }
    switch (kind) {
      case FAIL_CONNECT -> respondError(502, ErrorResponses.CONNECT_FAILED);
      case FAIL_CONNECT_TIMEOUT -> respondError(504, ErrorResponses.CONNECT_TIMEOUT);
      case FAIL_TIMEOUT -> respondError(504, ErrorResponses.RESPONSE_TIMEOUT);
      case FAIL_BAD_RESPONSE -> respondError(502, ErrorResponses.BAD_RESPONSE);
      default -> respondError(502, ErrorResponses.UPSTREAM_CLOSED);
    }
  }

  private void respondError(int code, String text) {
    responseStarted = true;
    status = code;
    if (!keepAlive) {
      closeAfterResponse = true;
    }
    FullHttpResponse r = ErrorResponses.of(code, text, closeAfterResponse, http10);
    finish(r);
    flushToClient();
  }

  /** Writes the end of the response and closes the books on the exchange. */
  private void finish(HttpContent last) {
    releaseEndpoint();
    VersionEntry v = version;
    if (v != null) {
      v.metrics.completed(loop, status, (core.ticker.nanos() - startNanos) / 1000);
      version = null;
    }
    active = false;
    request = null;
    if (closeAfterResponse) {
      ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
      wroteClient = false;
      closed = true;
      return;
    }
    ctx.write(last, ctx.voidPromise());
    wroteClient = true;
    afterExchange();
  }

  private void afterExchange() {
    setDeadline(DEADLINE_IDLE, listener.idleTimeoutNanos);
    drainQueue();
    flushToUpstream();
  }

  /** Handles waiting messages that can go now; resumes reading when none wait. */
  private void drainQueue() {
    HttpObject m;
    while ((m = queue.peek()) != null && !closed) {
      if (m instanceof HttpRequest ? active : mustHold(m)) {
        break;
      }
      queue.poll();
      dispatch(m);
    }
    if (queue.isEmpty()) {
      unblock(BLOCK_QUEUE);
    }
    // No flush here: in a client read the read-complete flushes (after a head has had the
    // chance to join its body); other callers flush themselves.
  }

  // ---- read control and timers -------------------------------------------------------------

  private void block(int reason) {
    if (readBlocks == 0) {
      channel.config().setAutoRead(false);
    }
    readBlocks |= reason;
  }

  private void unblock(int reason) {
    if ((readBlocks & reason) == 0) {
      return;
    }
    readBlocks &= ~reason;
    if (readBlocks == 0 && !closed) {
      channel.config().setAutoRead(true);
    }
  }

  /**
   * Sets the connection's one deadline. The timer is re-armed only when the new deadline is earlier
   * than the armed one; a timer that fires early re-arms itself for the rest, so a busy keep-alive
   * connection schedules about one task per timeout period, not one per request.
   */
  private void setDeadline(int kind, long timeoutNanos) {
    long now = System.nanoTime();
    deadlineKind = kind;
    deadline = now + timeoutNanos;
    if (timer == null || timerAt - deadline > 0) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerAt = deadline;
      timer = ctx.executor().schedule(timerTask, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    deadlineKind = DEADLINE_NONE;
  }

  private void onTimer() {
    timer = null;
    if (deadlineKind == DEADLINE_NONE || closed) {
      return;
    }
    long now = System.nanoTime();
    if (deadline - now > 0) {
      timerAt = deadline;
      timer = ctx.executor().schedule(timerTask, deadline - now, TimeUnit.NANOSECONDS);
      return;
    }
    int kind = deadlineKind;
    deadlineKind = DEADLINE_NONE;
    if (kind == DEADLINE_IDLE && !active && queue.isEmpty()) {
      closed = true;
      ctx.close();
    } else if (kind == DEADLINE_RESPONSE && active && !responseStarted) {
      onUpstreamFailure(upstream, FAIL_TIMEOUT);
    }
  }
}
