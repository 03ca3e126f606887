package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One client connection of a listener and the exchange it is in: reads requests, picks a replica,
 * borrows an upstream connection of the same event loop, streams both bodies with backpressure, and
 * answers 400/502/503/504 itself when the request is malformed or upstream fails.
 *
 * <p>This is the router's deliberate hot spot, written as one state machine without locks or
 * per-request allocations of its own (the exchange state lives in fields that each request resets).
 * HTTP/1.1 is handled as bytes, not as message objects: {@link HeadParser} checks a request head in
 * the read buffer and writes the head that goes upstream in one new buffer (hop-by-hop fields out,
 * {@code X-Forwarded-*} in); bodies go on as slices of the read buffers, chunk framing included,
 * while {@link BodyFraming} finds where they end. The response side is in {@link UpstreamHandler}.
 *
 * <p>Exchanges on one connection run one at a time. The connection's bytes are parsed only as far
 * as they can be acted on: a pipelined request stays unparsed in {@link #in} until the previous
 * response is complete, so responses keep their order, and body bytes that arrive while the
 * upstream connection is still being opened wait there too; reads pause while anything waits.
 *
 * <p>Resilience (see {@link dev.sluice.router.ListenerOptions}): a failed attempt, or a 503 of an
 * idempotent request, is sent again to another replica while the whole request can be sent again,
 * within {@code maxRetries} and the listener's {@link RetryAllowance} (see {@link #retry}); every
 * attempt's outcome goes to the {@link OutlierDetector}; and with a per-replica connection limit, a
 * request holds a slot of its replica from its first attempt to its end, or waits for one in the
 * replica's queue (see {@link #takeSlot}).
 *
 * <p>An upgrade request (WebSocket or any other protocol, RFC 9110 7.8) is routed like any request
 * and offered to the upstream with its {@code Upgrade} field; only a 101 answer to such an offer
 * turns the two connections into a {@link Tunnel}, which replaces this handler. Any other answer
 * continues as HTTP.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

  static final int FAIL_CONNECT = 1;
  static final int FAIL_CONNECT_TIMEOUT = 2;
  static final int FAIL_CLOSED = 3;
  static final int FAIL_TIMEOUT = 4;
  static final int FAIL_BAD_RESPONSE = 5;

  /** Bodies up to this size that arrive with their head go upstream in the head's buffer. */
  private static final int JOIN_BODY_LIMIT = 8192;

  private static final int BLOCK_INPUT = 1;
  private static final int BLOCK_UPSTREAM = 2;

  private static final int DEADLINE_NONE = 0;
  private static final int DEADLINE_IDLE = 1;
  private static final int DEADLINE_RESPONSE = 2;
  private static final int DEADLINE_PENDING = 3;

  private final ListenerImpl listener;
  private final RouterCore core;

  /** Whether the client came over TLS ({@code X-Forwarded-Proto: https}). */
  private final boolean secure;

  private boolean started;
  private final Route route = new Route();
  private final Runnable timerTask = this::onTimer;
  private final BodyFraming requestBody = new BodyFraming();

  private @Nullable ChannelHandlerContext ctx;
  private @Nullable Channel channel;
  private int loop;
  private @Nullable HeadParser parser;
  private @Nullable MatchScratch scratch;
  private byte[] clientIp = new byte[0];
  private byte[] clientAddress = new byte[0];
  private int readBlocks;
  private boolean closed;

  // Reading requests.
  private @Nullable ByteBuf in;
  private int headScan;
  private boolean readingBody;
  private boolean reading;
  private boolean waiting;

  // The current exchange.
  private boolean active;
  private int exchangeId;
  private @Nullable ByteBuf upstreamHead;
  private boolean joinedBody;
  private boolean headRequest;
  private boolean idempotent;
  private boolean http10;
  private boolean keepAlive;
  private boolean requestDone;
  private boolean headersSent;
  private boolean bodySent;
  private long startNanos;
  private @Nullable CompiledTable table;
  private @Nullable VersionEntry version;
  private VersionMetrics[] flagMetrics = EdgeFlagsPlan.NONE.metrics();
  private byte @Nullable [] setCookie;
  private @Nullable ShadowExchange shadow;
  private @Nullable EndpointState endpoint;
  private @Nullable EndpointState tried1;
  private @Nullable EndpointState tried2;
  private int retries;
  private boolean slotHeld;
  private @Nullable VersionEntry retryVersion;
  private @Nullable EndpointState pendingOn;
  private boolean clientBytes;
  private @Nullable UpstreamHandler upstream;
  private boolean wroteUpstream;
  private boolean wroteClient;
  private boolean responseStarted;
  private int status;
  private boolean closeAfterResponse;
  private boolean upgrade;
  private boolean upgradeToWebSocket;

  // One timer per connection, re-armed lazily: see setDeadline.
  private int deadlineKind;
  private long deadline;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt;

  ClientHandler(ListenerImpl listener, boolean secure) {
    this.listener = listener;
    this.core = listener.core;
    this.secure = secure;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.loop = core.loopIndex(ctx.channel().eventLoop());
    this.parser = core.requestParsers[loop];
    this.scratch = core.matchScratch[loop];
    // Added after the connection opened (after a TLS handshake, or to an HTTP/2 stream).
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      clientIp = a.getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
      clientAddress = a.getAddress().getAddress();
    }
    setDeadline(DEADLINE_IDLE, listener.idleTimeoutNanos);
  }

  // ---- client side ---------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf) || closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    in = Cumulation.append(ctx.alloc(), in, buf);
    readRequests();
  }

  /**
   * Acts on the bytes in {@link #in} as far as it can: starts an exchange for a complete head,
   * forwards (or, after an early answer, drops) body bytes, and leaves the rest for later.
   */
  private void readRequests() {
    if (reading) {
      // Called again from an exchange that ended inside the loop below: the loop goes on.
      return;
    }
    reading = true;
    waiting = false;
    try {
      while (!closed) {
        ByteBuf b = in;
        if (b == null) {
          break;
        }
        if (readingBody) {
          if (active && !headersSent) {
            // The body waits for the upstream connection.
            waiting = b.isReadable();
            break;
          }
          if (!forwardBody(b)) {
            break;
          }
        } else if (active) {
          // A pipelined request waits for the response before it.
          waiting = b.isReadable();
          break;
        } else if (!b.isReadable() || !readHead(b)) {
          break;
        }
      }
    } finally {
      reading = false;
    }
    ByteBuf b = in;
    if (b != null && (closed || !b.isReadable())) {
      in = null;
      b.release();
    }
    if (waiting && in != null) {
      block(BLOCK_INPUT);
    } else {
      unblock(BLOCK_INPUT);
    }
  }

  /** Parses a head at the reader index; returns whether one was found (and acted on). */
  private boolean readHead(ByteBuf b) {
    HeadParser p = parser;
    int len = p.parse(b, headScan, true);
    if (len == 0) {
      headScan = p.hint();
      return false;
    }
    headScan = 0;
    if (len < 0) {
      // Nothing after a malformed head can be framed: answer and close.
      b.skipBytes(b.readableBytes());
      badRequest(-len);
      return false;
    }
    startExchange(p, b, len);
    return true;
  }

  /**
   * Forwards or drops the body bytes at the reader index; returns whether the body ended (then what
   * follows is the next request).
   */
  private boolean forwardBody(ByteBuf b) {
    int start = b.readerIndex();
    int r;
    while ((r = requestBody.next(b)) > 0) {
      b.skipBytes(r);
    }
    int end = b.readerIndex();
    if (r == BodyFraming.ERROR) {
      badRequestBody();
      return false;
    }
    boolean ended = r == BodyFraming.END;
    ShadowExchange x = shadow;
    if (x != null && !x.sent() && end > start && !x.appendBody(b, start, end - start)) {
      shadow = null;
    }
    UpstreamHandler u = upstream;
    if (active && u != null && end > start) {
      Channel uc = u.channel();
      uc.write(b.retainedSlice(start, end - start), uc.voidPromise());
      wroteUpstream = true;
      bodySent = true;
      if (!uc.isWritable()) {
        flushToUpstream();
        if (!uc.isWritable()) {
          block(BLOCK_UPSTREAM);
        }
      }
    }
    if (ended) {
      readingBody = false;
      if (active) {
        requestDone = true;
        if (shadow != null && !shadow.sent()) {
          sendShadow();
        }
      }
    }
    return ended;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushToUpstream();
    flushToClient();
  }

  private void flushToUpstream() {
    if (wroteUpstream) {
      wroteUpstream = false;
      UpstreamHandler u = upstream;
      if (u != null) {
        u.channel().flush();
      }
    }
  }

  void flushToClient() {
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
    ByteBuf b = in;
    if (b != null) {
      in = null;
      b.release();
    }
    if (active) {
      // The client left mid-exchange: the upstream connection is in an unknown state.
      UpstreamHandler u = detachUpstream();
      if (u != null) {
        u.channel().close();
      }
      releaseEndpoint();
      EndpointState p = pendingOn;
      if (p != null) {
        // A slot already on its way is given back when it arrives (slotGranted).
        pendingOn = null;
        p.cancelWait(this);
      }
      if (version != null) {
        version.metrics.abandoned(loop);
        version = null;
      }
      flagsAbandoned();
      endShadow(false);
      releaseUpstreamHead();
      active = false;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes of clients are routine; closing is all there is to do.
    ctx.close();
  }

  private void resetExchange() {
    active = true;
    exchangeId++;
    requestDone = false;
    headersSent = false;
    bodySent = false;
    joinedBody = false;
    responseStarted = false;
    closeAfterResponse = false;
    upgrade = false;
    retries = 0;
    clientBytes = false;
    tried1 = null;
    tried2 = null;
    setCookie = null;
    startNanos = core.ticker.nanos();
    deadlineKind = DEADLINE_NONE;
  }

  private void startExchange(HeadParser p, ByteBuf b, int headLength) {
    resetExchange();
    http10 = p.version() == 10;
    keepAlive = p.keepAlive();
    int m = p.method();
    headRequest = m == HeadParser.METHOD_HEAD;
    idempotent = m != HeadParser.METHOD_OTHER;
    b.skipBytes(headLength);
    long length = p.contentLength();
    int join = 0;
    if (p.chunked()) {
      requestBody.chunked();
    } else {
      requestBody.length(Math.max(0, length));
      if (length > 0 && length <= JOIN_BODY_LIMIT && b.readableBytes() >= length) {
        join = (int) length;
      }
    }
    // An upgrade is offered upstream only for a request without a body: what follows its head
    // then belongs to the new protocol or to the next request, never to a body the upstream could
    // frame differently. With a body, Upgrade is dropped and the request goes as plain HTTP.
    if (p.upgrade() && !p.chunked() && length <= 0) {
      upgrade = true;
      upgradeToWebSocket = p.upgradeToWebSocket();
      p.keepUpgrade();
    }
    MountTable routes = listener.routes;
    CompiledTable t = routes.single != null ? routes.single : routes.pick(p);
    table = t;
    // Flags evaluated at the edge: their variants go upstream as header fields.
    EdgeFlagsPlan flags = t == null ? null : core.edgeFlags(t.app);
    EdgeFlagsPlan.Result assigned = flags == null ? EdgeFlagsPlan.NONE : flags.evaluate(p);
    flagMetrics = assigned.metrics();
    for (VersionMetrics f : flagMetrics) {
      f.started(loop);
    }
    // The head as it goes upstream, kept for retries until the exchange ends. A small body that
    // came with it joins it, so head and body leave in one write.
    ByteBuf head = p.writeRequest(ctx.alloc(), clientIp, join, assigned.lines(), secure);
    int headBytes = head.writerIndex();
    upstreamHead = head;
    if (join > 0) {
      head.writeBytes(b, join);
      requestBody.length(0);
      joinedBody = true;
    }
    readingBody = !requestBody.done();
    requestDone = !readingBody;
    if (t == null) {
      version = null;
      respondError(404, ErrorResponses.NO_APP);
      return;
    }
    boolean found = t.selectFirst(route, p, clientAddress, scratch, listener.balancing);
    setCookie = route.setCookie;
    version = route.version;
    if (version != null) {
      version.metrics.started(loop);
    }
    if (!found) {
      respondError(503, ErrorResponses.NO_HEALTHY_UPSTREAM);
      return;
    }
    if (t.shadow != null && !upgrade) {
      maybeShadow(t, p, head, headBytes, length);
    }
    listener.budgets[loop].request(startNanos);
    EndpointState e = route.endpoint;
    if (listener.maxConnections > 0 && (e = takeSlot(e)) == null) {
      // Waiting for a slot (the copy goes meanwhile), or answered 503.
      if (shadow != null && requestDone && active) {
        sendShadow();
      }
      return;
    }
    useEndpoint(e);
    acquire();
    if (shadow != null && requestDone) {
      sendShadow();
    }
  }

  /**
   * Takes a connection slot of the chosen replica, else of another replica of its version under the
   * limit; else queues the request on the chosen one (while fewer than {@code maxPendingPerReplica}
   * wait there) for at most the connect timeout, or answers 503. Returns the replica to use now, or
   * null when the request waits or was answered.
   */
  private @Nullable EndpointState takeSlot(EndpointState e) {
    int limit = listener.maxConnections;
    if (e.tryAcquireSlot(limit)) {
      slotHeld = true;
      return e;
    }
    EndpointState other = CompiledTable.slotElsewhere(version, limit, e, null, null);
    if (other != null) {
      slotHeld = true;
      return other;
    }
    int r = e.acquireSlotOrWait(this, limit, listener.maxPending);
    if (r == EndpointState.SLOT_TAKEN) {
      slotHeld = true;
      return e;
    }
    if (r == EndpointState.SLOT_QUEUED) {
      pendingOn = e;
      setDeadline(DEADLINE_PENDING, listener.pendingTimeoutNanos);
      return null;
    }
    version.metrics.overLimit(loop);
    respondError(503, ErrorResponses.OVER_LIMIT);
    return null;
  }

  /** Hands this (waiting) request a slot of {@code e}; any thread. */
  void slotGranted(EndpointState e) {
    Channel ch = channel;
    try {
      ch.eventLoop().execute(() -> onSlotGranted(e));
    } catch (RuntimeException rejected) {
      // The loop is shutting down: nobody will use the slot.
      e.releaseSlot();
    }
  }

  private void onSlotGranted(EndpointState e) {
    if (pendingOn != e || !active || closed) {
      // The request stopped waiting (timed out, client gone) just as the slot came: pass it on.
      e.releaseSlot();
      return;
    }
    pendingOn = null;
    slotHeld = true;
    deadlineKind = DEADLINE_NONE;
    useEndpoint(e);
    acquire();
    flushToUpstream();
  }

  /** Starts a shadow copy of this request when the table's shadow picks it. */
  private void maybeShadow(CompiledTable t, HeadParser p, ByteBuf head, int headBytes, long len) {
    ShadowPlan plan = t.shadow;
    if (plan.version == version || !plan.picks(p)) {
      return;
    }
    ShadowExchange x =
        new ShadowExchange(plan, t, version, loop, p, head, headBytes, core.shadowRegistry);
    if (len > plan.maxBodyBytes) {
      x.drop("request body over maxBodyBytes");
      return;
    }
    shadow = x;
  }

  private void sendShadow() {
    ShadowExchange x = shadow;
    if (x.comparing()) {
      core.shadowSenders[loop].send(x);
    } else {
      // Nothing of the primary is needed: the copy is on its own from here.
      shadow = null;
      core.shadowSenders[loop].send(x);
    }
  }

  private void endShadow(boolean primaryOk) {
    ShadowExchange x = shadow;
    if (x != null) {
      shadow = null;
      x.primaryEnded(primaryOk);
    }
  }

  /** Answers a head that failed to parse, and closes. */
  private void badRequest(int code) {
    resetExchange();
    http10 = false;
    keepAlive = false;
    headRequest = false;
    requestDone = true;
    readingBody = false;
    version = null;
    respondError(code, ErrorResponses.forRequestError(code));
  }

  /** Handles a request body whose chunk framing is invalid. */
  private void badRequestBody() {
    keepAlive = false;
    readingBody = false;
    if (active && !responseStarted) {
      UpstreamHandler u = detachUpstream();
      if (u != null) {
        u.channel().close();
      }
      respondError(400, ErrorResponses.forRequestError(400));
    } else {
      // A response is under way (or the exchange is over): the connection cannot go on.
      closed = true;
      ctx.close();
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
      if (slotHeld) {
        slotHeld = false;
        e.releaseSlot();
      }
    }
  }

  private void releaseUpstreamHead() {
    ByteBuf h = upstreamHead;
    if (h != null) {
      upstreamHead = null;
      h.release();
    }
  }

  private void acquire() {
    EndpointState e = endpoint;
    H2UpstreamPool h2 = listener.h2Upstreams;
    if (h2 != null) {
      // An h2c replica: a new stream of a shared connection, never pooled (one exchange each).
      int id = exchangeId;
      h2.open(e, loop)
          .addListener(
              f -> {
                Channel stream = f.isSuccess() ? (Channel) f.getNow() : null;
                onConnected(stream, f.cause(), id, e);
              });
      return;
    }
    UpstreamHandler pooled = e.pollIdle(loop);
    if (pooled != null) {
      pooled.reused = true;
      attach(pooled);
      return;
    }
    int id = exchangeId;
    ChannelFuture f = listener.bootstraps[loop].connect(e.address);
    f.addListener(
        (ChannelFutureListener)
            done -> onConnected(done.isSuccess() ? done.channel() : null, done.cause(), id, e));
  }

  private void onConnected(
      @Nullable Channel connected, @Nullable Throwable cause, int id, EndpointState e) {
    if (connected == null) {
      if (id == exchangeId && active && endpoint == e && upstream == null && !closed) {
        boolean timeout = cause instanceof ConnectTimeoutException;
        core.healthChecker.connectFailed(e, timeout ? "connect timeout" : "connection refused");
        onUpstreamFailure(null, timeout ? FAIL_CONNECT_TIMEOUT : FAIL_CONNECT);
      }
      return;
    }
    UpstreamHandler h = connected.pipeline().get(UpstreamHandler.class);
    h.endpoint = e;
    h.loop = loop;
    h.reused = false;
    if (id != exchangeId || !active || endpoint != e || upstream != null || closed) {
      // The exchange moved on (client gone, timed out): keep the connection for later.
      if (listener.h2Upstreams != null) {
        connected.close();
      } else {
        e.offerIdle(loop, h, core.options.maxIdlePerEndpoint());
      }
      return;
    }
    attach(h);
    flushToUpstream();
  }

  private void attach(UpstreamHandler h) {
    upstream = h;
    h.owner = this;
    h.startResponse();
    Channel uc = h.channel();
    if (!uc.config().isAutoRead()) {
      uc.config().setAutoRead(true);
    }
    // The first attempt sends the buffer itself; a retry sends a duplicate from its start, as the
    // first write moved the buffer's reader index.
    ByteBuf head = upstreamHead;
    uc.write(
        retries == 0 ? head.retain() : head.retainedDuplicate().readerIndex(0), uc.voidPromise());
    wroteUpstream = true;
    if (joinedBody) {
      bodySent = true;
    }
    headersSent = true;
    setDeadline(DEADLINE_RESPONSE, listener.requestTimeoutNanos);
    // Body bytes that waited for this connection go now (when not already inside the read loop).
    readRequests();
  }

  private @Nullable UpstreamHandler detachUpstream() {
    UpstreamHandler u = upstream;
    if (u != null) {
      u.owner = null;
      u.startResponse();
      upstream = null;
      wroteUpstream = false;
    }
    unblock(BLOCK_UPSTREAM);
    return u;
  }

  /** Returns whether the current request was offered to the upstream as an upgrade. */
  boolean upgradeOffered() {
    return upgrade;
  }

  /**
   * Takes the final status of an attempt before its head is forwarded: reports it to outlier
   * detection, and for a 503 to an idempotent request that nothing of went to the client yet, tries
   * another replica of the same version (never another version, so a failing version's answers are
   * not hidden behind another one). Returns true when the attempt was dropped for a retry; the
   * caller then stops reading {@code from}.
   */
  boolean onFinalStatus(UpstreamHandler from, int code) {
    if (!active || from != upstream) {
      return false;
    }
    EndpointState e = endpoint;
    OutlierDetector od = listener.outliers;
    if (od != null && e != null) {
      if (code >= 500) {
        od.failed(e, version, channel.eventLoop(), "status " + code);
      } else {
        od.succeeded(e);
      }
    }
    if (code != 503 || !idempotent || !resendable() || clientBytes) {
      return false;
    }
    EndpointState next = retryTarget(e, true);
    if (next == null) {
      return false;
    }
    UpstreamHandler u = detachUpstream();
    // The 503's body is not read: the connection goes.
    u.channel().close();
    releaseEndpoint();
    retry(e, next);
    return true;
  }

  /** Returns whether the whole request can be sent again (its body, if any, is kept). */
  private boolean resendable() {
    return !bodySent || joinedBody;
  }

  /** Returns whether 1xx responses go to the client (not to HTTP/1.0 clients). */
  boolean forwardsInformational() {
    return !http10;
  }

  /**
   * Takes the final response head: decides how its body is framed towards the client and whether
   * either connection stays open, and returns the fields to add (HeadParser.ADD_ flags).
   */
  int onResponseHead(UpstreamHandler u, HeadParser p) {
    int code = p.status();
    responseStarted = true;
    status = code;
    deadlineKind = DEADLINE_NONE;
    boolean reusable = p.keepAlive();
    int out = UpstreamHandler.OUT_RAW;
    int adds = 0;
    boolean mayHaveBody = code != 204 && code != 304 && code != 101 && !headRequest;
    if (!mayHaveBody) {
      u.body.length(0);
    } else if (p.chunked()) {
      if (p.contentLength() >= 0) {
        // RFC 9112 6.3: chunked wins, and a proxy removes the Content-Length.
        p.dropContentLength();
      }
      u.body.chunked();
      if (http10) {
        // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
        out = UpstreamHandler.OUT_DECHUNK;
        p.dropTransferEncoding();
        closeAfterResponse = true;
      }
    } else if (p.contentLength() >= 0) {
      u.body.length(p.contentLength());
    } else {
      u.body.untilClose();
      reusable = false;
      if (http10) {
        closeAfterResponse = true;
      } else {
        // The upstream ends its body by closing; chunk it so the client connection survives.
        out = UpstreamHandler.OUT_CHUNK;
        adds |= HeadParser.ADD_CHUNKED;
      }
    }
    if (code == 101) {
      // The upstream accepted the upgrade offered (UpstreamHandler refuses any other 101): the
      // head goes to the client with its Upgrade field, and both connections become a tunnel.
      p.keepUpgrade();
      p.dropContentLength();
      p.dropTransferEncoding();
      if (p.hasUpgradeField()) {
        upgradeToWebSocket = p.upgradeToWebSocket();
      }
      reusable = false;
      u.upgraded = true;
    } else if (!keepAlive) {
      closeAfterResponse = true;
    }
    if (closeAfterResponse) {
      adds |= HeadParser.ADD_CLOSE;
    } else if (http10) {
      adds |= HeadParser.ADD_KEEP_ALIVE;
    }
    ShadowExchange x = shadow;
    if (x != null) {
      x.primaryHead(p);
      u.capture = x.primaryBody;
    }
    byte[] cookie = setCookie;
    if (cookie != null) {
      p.extra(cookie);
      adds |= HeadParser.ADD_EXTRA;
    }
    u.out = out;
    u.reusable = reusable;
    return adds;
  }

  /** Sends response bytes to the client, pausing upstream reads while the client is slow. */
  void toClient(ByteBuf bytes) {
    ctx.write(bytes, ctx.voidPromise());
    wroteClient = true;
    clientBytes = true;
    if (!channel.isWritable()) {
      flushToClient();
      UpstreamHandler u = upstream;
      if (!channel.isWritable() && u != null) {
        u.channel().config().setAutoRead(false);
      }
    }
  }

  /**
   * Ends the exchange after a 101 head went to {@link #toClient}: the exchange counts as answered,
   * and a {@link Tunnel} takes both connections, with the bytes either side sent after the head.
   */
  void onUpgraded(UpstreamHandler from, @Nullable ByteBuf early) {
    if (!active || from != upstream) {
      if (early != null) {
        early.release();
      }
      from.channel().close();
      return;
    }
    UpstreamHandler u = detachUpstream();
    VersionEntry v = version;
    EndpointState e = endpoint;
    v.metrics.completed(loop, 101, (core.ticker.nanos() - startNanos) / 1000);
    version = null;
    releaseEndpoint();
    releaseUpstreamHead();
    active = false;
    // This handler is done with the connection: it leaves the pipeline to the tunnel.
    closed = true;
    cancelTimer();
    ByteBuf pending = in;
    in = null;
    headScan = 0;
    flushToClient();
    Tunnel.open(
        listener,
        loop,
        table,
        v,
        e,
        ctx,
        u.channel().pipeline().context(u),
        upgradeToWebSocket,
        pending,
        early);
  }

  /** Ends the exchange after the last response byte went to {@link #toClient}. */
  void onResponseEnd(UpstreamHandler from, boolean reusable) {
    if (!active || from != upstream) {
      from.channel().close();
      return;
    }
    UpstreamHandler u = detachUpstream();
    // Reusable only when both messages ended; an early answer leaves request bytes unsent.
    if (reusable && requestDone && u.endpoint != null) {
      if (!u.channel().config().isAutoRead()) {
        u.channel().config().setAutoRead(true);
      }
      u.endpoint.offerIdle(loop, u, core.options.maxIdlePerEndpoint());
    } else {
      u.channel().close();
    }
    finish(null);
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
      releaseEndpoint();
      long micros = (core.ticker.nanos() - startNanos) / 1000;
      version.metrics.completed(loop, status, micros);
      version = null;
      flagsCompleted(micros);
      endShadow(false);
      releaseUpstreamHead();
      active = false;
      closed = true;
      ctx.close();
      return;
    }
    EndpointState failed = endpoint;
    OutlierDetector od = listener.outliers;
    if (od != null && failed != null) {
      od.failed(failed, version, channel.eventLoop(), failureName(kind));
    }
    boolean connectFailed = kind == FAIL_CONNECT || kind == FAIL_CONNECT_TIMEOUT;
    // Nothing reached the replica (connect failed), or the request may be repeated: an
    // idempotent method, or a pooled connection the replica had closed while it sat idle.
    boolean safe = connectFailed || kind == FAIL_CLOSED && (reused || idempotent);
    EndpointState next = safe && resendable() ? retryTarget(failed, false) : null;
    releaseEndpoint();
    if (next != null) {
      retry(failed, next);
      return;
    }
    switch (kind) {
      case FAIL_CONNECT -> respondError(502, ErrorResponses.CONNECT_FAILED);
      case FAIL_CONNECT_TIMEOUT -> respondError(504, ErrorResponses.CONNECT_TIMEOUT);
      case FAIL_TIMEOUT -> respondError(504, ErrorResponses.RESPONSE_TIMEOUT);
      case FAIL_BAD_RESPONSE -> respondError(502, ErrorResponses.BAD_RESPONSE);
      default -> respondError(502, ErrorResponses.UPSTREAM_CLOSED);
    }
  }

  private static String failureName(int kind) {
    return switch (kind) {
      case FAIL_CONNECT -> "connection refused";
      case FAIL_CONNECT_TIMEOUT -> "connect timeout";
      case FAIL_TIMEOUT -> "response timeout";
      case FAIL_BAD_RESPONSE -> "malformed response";
      default -> "connection closed";
    };
  }

  /**
   * Picks where a retry of the attempt on {@code failed} goes: another replica of the same version
   * (or, when {@code sameVersion} is false and it has none, of another version with traffic),
   * skipping the replicas tried, under the connection limit (its slot is taken). Returns null when
   * there is none, when {@code maxRetries} is reached, or when the retry budget is spent.
   */
  private @Nullable EndpointState retryTarget(@Nullable EndpointState failed, boolean sameVersion) {
    if (failed == null || retries >= listener.maxRetries) {
      return null;
    }
    VersionEntry v = version;
    EndpointState next;
    if (sameVersion) {
      next = CompiledTable.replica(v, listener.balancing, failed, tried1);
    } else if (table.select(route, v, listener.balancing, failed, tried1)) {
      next = route.endpoint;
      v = route.version;
    } else {
      next = null;
    }
    int limit = listener.maxConnections;
    if (next != null && limit > 0 && !next.tryAcquireSlot(limit)) {
      next = CompiledTable.slotElsewhere(v, limit, failed, tried1, tried2);
    }
    if (next == null) {
      return null;
    }
    if (!listener.budgets[loop].tryRetry(core.ticker.nanos())) {
      if (limit > 0) {
        next.releaseSlot();
      }
      version.metrics.retryDenied(loop);
      return null;
    }
    retryVersion = v;
    return next;
  }

  /**
   * Sends the request again to {@code next} (from {@link #retryTarget}, its version in {@link
   * #retryVersion}). Call after the failed attempt released its replica.
   */
  private void retry(EndpointState failed, EndpointState next) {
    tried2 = tried1;
    tried1 = failed;
    retries++;
    version.metrics.retried(loop);
    VersionEntry v = retryVersion;
    retryVersion = null;
    if (v != version) {
      version.metrics.abandoned(loop);
      version = v;
      version.metrics.started(loop);
    }
    slotHeld = listener.maxConnections > 0;
    headersSent = false;
    useEndpoint(next);
    acquire();
    flushToUpstream();
  }

  private void respondError(int code, String text) {
    responseStarted = true;
    status = code;
    if (!keepAlive) {
      closeAfterResponse = true;
    }
    finish(ErrorResponses.of(ctx.alloc(), code, text, closeAfterResponse, http10));
    flushToClient();
  }

  /** Writes the end of the response (if not written yet) and closes the books on the exchange. */
  private void finish(@Nullable ByteBuf last) {
    releaseEndpoint();
    endShadow(last == null);
    long micros = (core.ticker.nanos() - startNanos) / 1000;
    VersionEntry v = version;
    if (v != null) {
      v.metrics.completed(loop, status, micros);
      version = null;
    }
    flagsCompleted(micros);
    active = false;
    releaseUpstreamHead();
    if (closeAfterResponse) {
      ctx.writeAndFlush(last != null ? last : Unpooled.EMPTY_BUFFER)
          .addListener(ChannelFutureListener.CLOSE);
      wroteClient = false;
      closed = true;
      return;
    }
    if (last != null) {
      ctx.write(last, ctx.voidPromise());
      wroteClient = true;
    }
    afterExchange();
  }

  private void flagsCompleted(long micros) {
    VersionMetrics[] m = flagMetrics;
    if (m.length > 0) {
      flagMetrics = EdgeFlagsPlan.NONE.metrics();
      for (VersionMetrics f : m) {
        f.completed(loop, status, micros);
      }
    }
  }

  private void flagsAbandoned() {
    VersionMetrics[] m = flagMetrics;
    if (m.length > 0) {
      flagMetrics = EdgeFlagsPlan.NONE.metrics();
      for (VersionMetrics f : m) {
        f.abandoned(loop);
      }
    }
  }

  private void afterExchange() {
    setDeadline(DEADLINE_IDLE, listener.idleTimeoutNanos);
    readRequests();
    flushToUpstream();
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
    if (kind == DEADLINE_IDLE && !active) {
      closed = true;
      ctx.close();
    } else if (kind == DEADLINE_RESPONSE && active && !responseStarted) {
      onUpstreamFailure(upstream, FAIL_TIMEOUT);
    } else if (kind == DEADLINE_PENDING && active && pendingOn != null) {
      // Not taken out when a slot is already on its way to us: then we go on with it.
      if (pendingOn.cancelWait(this)) {
        pendingOn = null;
        version.metrics.overLimit(loop);
        respondError(503, ErrorResponses.PENDING_TIMEOUT);
      }
    }
  }
}
