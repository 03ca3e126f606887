package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One shadow copy and, when comparing, its pair: the copied request on its way to the shadow
 * version, what the primary answered and what the shadow answered. Both sides run on the same event
 * loop (the client's), so no field needs synchronisation; whichever side ends last hands the pair
 * to the {@link ShadowRegistry}.
 */
final class ShadowExchange {

  static final int PENDING = 0;
  static final int OK = 1;
  static final int FAILED = 2;
  static final int DROPPED = 3;

  private static final byte[] MARKER =
      "X-Sluice-Shadow: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  final ShadowPlan plan;
  final CompiledTable table;
  final VersionEntry primaryVersion;
  final int loop;
  final boolean headRequest;
  final String method;
  final String target;

  /**
   * The copy: head (with a marker field) and body as they went to the primary, framing included.
   */
  private @Nullable ByteBuf request;

  private final int requestLimit;
  private boolean sent;

  int primaryState;
  int primaryStatus;
  @Nullable String @Nullable [] primaryHeaders;
  final @Nullable BodyCapture primaryBody;

  int shadowState;
  int shadowStatus;
  @Nullable String @Nullable [] shadowHeaders;
  final @Nullable BodyCapture shadowBody;
  String failure = "";

  /** Set by the sender while the copy is out. */
  @Nullable EndpointState endpoint;

  long startNanos;
  @Nullable ShadowClientHandler connection;
  io.netty.util.concurrent.@Nullable ScheduledFuture<?> timeout;

  private final ShadowRegistry registry;
  private boolean recorded;

  ShadowExchange(
      ShadowPlan plan,
      CompiledTable table,
      VersionEntry primaryVersion,
      int loop,
      HeadParser p,
      ByteBuf upstreamHead,
      int headLength,
      ShadowRegistry registry) {
    this.plan = plan;
    this.table = table;
    this.primaryVersion = primaryVersion;
    this.loop = loop;
    this.registry = registry;
    this.headRequest = p.method() == HeadParser.METHOD_HEAD;
    byte[] s = p.bytes();
    this.method = new String(s, 0, p.methodLength(), StandardCharsets.US_ASCII);
    this.target =
        new String(s, p.targetStart(), p.targetEnd() - p.targetStart(), StandardCharsets.UTF_8);
    boolean comparing = plan.compare != null;
    boolean bodies = comparing && plan.body != dev.sluice.router.shadow.BodyCompare.NONE;
    this.primaryBody = bodies ? new BodyCapture(plan.maxBodyBytes) : null;
    this.shadowBody = bodies ? new BodyCapture(plan.maxBodyBytes) : null;
    int joined = upstreamHead.writerIndex() - headLength;
    this.requestLimit = headLength + MARKER.length + plan.maxBodyBytes + 64;
    ByteBuf copy = upstreamHead.alloc().buffer(headLength + MARKER.length + joined);
    // The head without its empty line, then the marker field and the empty line, then any body.
    copy.writeBytes(upstreamHead, 0, headLength - 2);
    copy.writeBytes(MARKER);
    copy.writeBytes(upstreamHead, headLength, joined);
    this.request = copy;
  }

  /** Returns whether the primary response is kept for a comparison. */
  boolean comparing() {
    return plan.compare != null;
  }

  /**
   * Copies request body bytes (framing included); a body past the limit drops the copy. Returns
   * whether the copy goes on.
   */
  boolean appendBody(ByteBuf b, int index, int len) {
    ByteBuf r = request;
    if (r == null) {
      return false;
    }
    if (r.readableBytes() + len > requestLimit) {
      drop("request body over maxBodyBytes");
      return false;
    }
    r.writeBytes(b, index, len);
    return true;
  }

  /** Hands the complete copy to the sender (once). */
  @Nullable ByteBuf takeRequest() {
    ByteBuf r = request;
    request = null;
    sent = true;
    return r;
  }

  boolean sent() {
    return sent;
  }

  /** The copy is not sent (queue full, no replica, body too large, primary ended first). */
  void drop(String why) {
    ByteBuf r = request;
    request = null;
    if (r != null) {
      r.release();
    }
    if (shadowState == PENDING) {
      shadowState = DROPPED;
      failure = why;
      finishIfDone();
    }
  }

  /** The primary response head arrived: keeps what is compared. */
  void primaryHead(HeadParser p) {
    primaryStatus = p.status();
    if (comparing()) {
      primaryHeaders = plan.headers(p);
    }
  }

  /** The primary exchange ended, answered by the upstream ({@code ok}) or not. */
  void primaryEnded(boolean ok) {
    if (primaryState != PENDING) {
      return;
    }
    primaryState = ok ? OK : FAILED;
    if (!sent) {
      drop("primary ended before the request was complete");
    }
    finishIfDone();
  }

  /** The shadow answered. */
  void shadowHead(HeadParser p) {
    shadowStatus = p.status();
    if (comparing()) {
      shadowHeaders = plan.headers(p);
    }
  }

  /** The shadow exchange ended: answered, or failed with a reason. */
  void shadowEnded(boolean ok, String why) {
    if (shadowState != PENDING) {
      return;
    }
    shadowState = ok ? OK : FAILED;
    failure = why;
    finishIfDone();
  }

  private void finishIfDone() {
    boolean primaryKnown = primaryState != PENDING || !comparing();
    if (shadowState != PENDING && primaryKnown && !recorded) {
      recorded = true;
      registry.record(this);
    }
  }
}
