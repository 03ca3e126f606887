package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 face of one client HTTP/2 stream: turns the stream's request into the bytes of an
 * HTTP/1.1 request for the {@link ClientHandler} after it, and that handler's response bytes back
 * into HTTP/2 frames.
 *
 * <p>So an HTTP/2 request goes through the very code of an HTTP/1.1 one: the same head checks,
 * mount and version choice (rules, sticky, weights), replica choice, retries, shadow copies,
 * timeouts and per-version metrics. The request head is written as {@code :method :path HTTP/1.1}
 * with {@code Host} from {@code :authority} and the fields in their order (cookie fields joined
 * into one, RFC 9113 8.2.3); a body without {@code content-length} goes chunked, and request
 * trailers become the chunked trailer section. The response is parsed with Netty's HTTP/1.1
 * decoder; its trailer section (a gRPC status, say) becomes the stream's trailing HEADERS frame.
 */
final class H2RequestBridge extends ChannelDuplexHandler {

  private static final int MAX_RESPONSE_HEAD = HeadParser.MAX_RESPONSE_HEAD;

  private boolean headSeen;
  private boolean chunked;
  private boolean headRequest;
  private boolean requestEnded;
  private @Nullable EmbeddedChannel responses;
  private @Nullable Http2Headers pendingHead;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2HeadersFrame h) {
      if (!headSeen) {
        headSeen = true;
        onHead(ctx, h);
      } else if (!requestEnded) {
        requestEnded = h.isEndStream();
        if (chunked) {
          ByteBuf out = ctx.alloc().buffer(256);
          out.writeByte('0').writeBytes(H2Heads.CRLF);
          H2Heads.lines(out, h.headers(), true);
          out.writeBytes(H2Heads.CRLF);
          ctx.fireChannelRead(out);
        }
      }
    } else if (msg instanceof Http2DataFrame d) {
      if (!headSeen || requestEnded) {
        d.release();
        return;
      }
      requestEnded = d.isEndStream();
      ByteBuf content = d.content();
      if (!chunked) {
        ctx.fireChannelRead(content);
        return;
      }
      int n = content.readableBytes();
      ByteBuf out = ctx.alloc().buffer(n + 24);
      if (n > 0) {
        out.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
        out.writeBytes(H2Heads.CRLF).writeBytes(content).writeBytes(H2Heads.CRLF);
      }
      if (requestEnded) {
        out.writeByte('0').writeBytes(H2Heads.CRLF).writeBytes(H2Heads.CRLF);
      }
      d.release();
      ctx.fireChannelRead(out);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
    Http2Headers h = frame.headers();
    CharSequence method = h.method();
    CharSequence path = h.path();
    requestEnded = frame.isEndStream();
    if (method == null || path == null || AsciiString.contentEquals(method, "CONNECT")) {
      // RFC 9113 8.3.1: a request without :method or :path is malformed; CONNECT is not proxied.
      refuse(ctx, method != null && AsciiString.contentEquals(method, "CONNECT") ? "405" : "400");
      return;
    }
    headRequest = AsciiString.contentEquals(method, "HEAD");
    ByteBuf out = ctx.alloc().buffer(512);
    out.writeCharSequence(method, StandardCharsets.ISO_8859_1);
    out.writeByte(' ');
    out.writeCharSequence(path, StandardCharsets.ISO_8859_1);
    out.writeCharSequence(" HTTP/1.1", StandardCharsets.US_ASCII);
    out.writeBytes(H2Heads.CRLF);
    CharSequence authority = h.authority();
    if (authority != null) {
      H2Heads.line(out, "host", authority);
    }
    StringBuilder cookies = null;
    boolean length = false;
    for (Map.Entry<CharSequence, CharSequence> e : h) {
      CharSequence name = e.getKey();
      if (name.length() == 0 || name.charAt(0) == ':' || H2Heads.connectionSpecific(name)) {
        continue;
      }
      if (authority != null && AsciiString.contentEquals(name, "host")) {
        continue;
      }
      if (AsciiString.contentEquals(name, "cookie")) {
        cookies = cookies == null ? new StringBuilder() : cookies.append("; ");
        cookies.append(e.getValue());
        continue;
      }
      if (AsciiString.contentEquals(name, "content-length")) {
        length = true;
      }
      H2Heads.line(out, name, e.getValue());
    }
    if (cookies != null) {
      H2Heads.line(out, "cookie", cookies);
    }
    if (!length && !frame.isEndStream()) {
      chunked = true;
      H2Heads.line(out, "transfer-encoding", "chunked");
    }
    out.writeBytes(H2Heads.CRLF);
    ctx.fireChannelRead(out);
  }

  private void refuse(ChannelHandlerContext ctx, String status) {
    requestEnded = true;
    headSeen = true;
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(H2Heads.newHeaders().status(status), true));
  }

  // ---- the response, from the ClientHandler's bytes ------------------------------------------

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.write(msg, promise);
      return;
    }
    EmbeddedChannel decoder = responses;
    if (decoder == null) {
      decoder = new EmbeddedChannel(new ResponseDecoder());
      responses = decoder;
    }
    decoder.writeInbound(buf);
    List<Http2StreamFrame> frames = new ArrayList<>(4);
    Object o;
    boolean failed = false;
    while ((o = decoder.readInbound()) != null) {
      if (o instanceof HttpObject ho && ho.decoderResult().isFailure()) {
        failed = true;
      } else if (!failed) {
        translate((HttpObject) o, frames);
      }
      ReferenceCountUtil.release(o);
    }
    if (pendingHead != null) {
      frames.add(new DefaultHttp2HeadersFrame(pendingHead, false));
      pendingHead = null;
    }
    for (int i = 0; i < frames.size(); i++) {
      boolean last = i == frames.size() - 1;
      ctx.write(frames.get(i), last && !failed ? promise : ctx.voidPromise());
    }
    if (failed) {
      // Not a response the router would send: reset the stream rather than forward a guess.
      ctx.close();
      promise.trySuccess();
    } else if (frames.isEmpty()) {
      promise.trySuccess();
    }
  }

  private void translate(HttpObject o, List<Http2StreamFrame> frames) {
    if (o instanceof HttpResponse r) {
      int code = r.status().code();
      Http2Headers h = H2Heads.fields(H2Heads.newHeaders(), r.headers(), false);
      h.status(AsciiString.of(Integer.toString(code)));
      if (code >= 100 && code < 200) {
        if (code != 101) {
          frames.add(new DefaultHttp2HeadersFrame(h, false));
        }
      } else {
        // Held until the body shows: an empty body ends the stream with the head itself.
        pendingHead = h;
      }
    }
    if (o instanceof HttpContent c) {
      ByteBuf content = c.content();
      if (o instanceof LastHttpContent last) {
        boolean trailers = !last.trailingHeaders().isEmpty();
        if (pendingHead != null && !content.isReadable() && !trailers) {
          frames.add(new DefaultHttp2HeadersFrame(pendingHead, true));
          pendingHead = null;
          return;
        }
        flushHead(frames);
        if (trailers) {
          if (content.isReadable()) {
            frames.add(new DefaultHttp2DataFrame(content.retain(), false));
          }
          frames.add(
              new DefaultHttp2HeadersFrame(
                  H2Heads.fields(H2Heads.newHeaders(), last.trailingHeaders(), true), true));
        } else {
          frames.add(new DefaultHttp2DataFrame(content.retain(), true));
        }
      } else if (content.isReadable()) {
        flushHead(frames);
        frames.add(new DefaultHttp2DataFrame(content.retain(), false));
      }
    }
  }

  private void flushHead(List<Http2StreamFrame> frames) {
    if (pendingHead != null) {
      frames.add(new DefaultHttp2HeadersFrame(pendingHead, false));
      pendingHead = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    EmbeddedChannel d = responses;
    if (d != null) {
      responses = null;
      d.finishAndReleaseAll();
    }
    ctx.fireChannelInactive();
  }

  /** Netty's response decoder, told when the request was a HEAD (its response has no body). */
  private final class ResponseDecoder extends HttpResponseDecoder {
    ResponseDecoder() {
      super(8192, MAX_RESPONSE_HEAD, 65536);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      return headRequest || super.isContentAlwaysEmpty(msg);
    }
  }
}
