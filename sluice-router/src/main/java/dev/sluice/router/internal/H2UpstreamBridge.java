package dev.sluice.router.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
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
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 face of one stream to an h2c replica: the request bytes the {@link ClientHandler}
 * writes become HTTP/2 frames, and the replica's frames become the bytes of an HTTP/1.1 response
 * for the {@link UpstreamHandler} after it.
 *
 * <p>The response is written chunked when the replica sent no {@code content-length}, so its
 * trailing HEADERS frame (gRPC's {@code grpc-status} and {@code grpc-message}) travels as the
 * chunked trailer section to the client side, which turns it back into trailers. Every response
 * carries {@code Connection: close}: a stream carries one exchange, so the upstream handler never
 * pools it. Requests always carry {@code te: trailers} (what gRPC servers require), since every
 * client of the router can receive trailers through this path.
 */
final class H2UpstreamBridge extends ChannelDuplexHandler {

  private static final int NONE = 0;
  private static final int RAW = 1;
  private static final int CHUNKED = 2;

  private @Nullable EmbeddedChannel requests;
  private boolean requestEnded;
  private boolean finalHead;
  private int body = NONE;

  // ---- the request, from the ClientHandler's bytes -------------------------------------------

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.write(msg, promise);
      return;
    }
    EmbeddedChannel decoder = requests;
    if (decoder == null) {
      decoder =
          new EmbeddedChannel(
              new HttpRequestDecoder(
                  HeadParser.MAX_REQUEST_LINE + 64, HeadParser.MAX_RESPONSE_HEAD, 65536));
      requests = decoder;
    }
    decoder.writeInbound(buf);
    List<Http2StreamFrame> frames = new ArrayList<>(4);
    Object o;
    boolean failed = false;
    while ((o = decoder.readInbound()) != null) {
      if (o instanceof HttpObject ho && ho.decoderResult().isFailure()) {
        failed = true;
      } else if (!failed && !requestEnded) {
        translate((HttpObject) o, frames);
      }
      ReferenceCountUtil.release(o);
    }
    for (int i = 0; i < frames.size(); i++) {
      boolean last = i == frames.size() - 1;
      ctx.write(frames.get(i), last && !failed ? promise : ctx.voidPromise());
    }
    if (failed) {
      ctx.close();
      promise.trySuccess();
    } else if (frames.isEmpty()) {
      promise.trySuccess();
    }
  }

  private void translate(HttpObject o, List<Http2StreamFrame> frames) {
    if (o instanceof HttpRequest r) {
      Http2Headers h = H2Heads.newHeaders();
      h.method(AsciiString.of(r.method().name()));
      h.scheme(AsciiString.of("http"));
      h.path(AsciiString.of(r.uri()));
      String host = r.headers().get(HttpHeaderNames.HOST);
      if (host != null) {
        h.authority(AsciiString.of(host));
      }
      H2Heads.fields(h, r.headers(), true);
      h.set(AsciiString.of("te"), AsciiString.of("trailers"));
      boolean empty =
          !HttpUtil.isTransferEncodingChunked(r) && HttpUtil.getContentLength(r, 0L) == 0;
      frames.add(new DefaultHttp2HeadersFrame(h, empty));
      requestEnded = empty;
      return;
    }
    if (o instanceof HttpContent c) {
      ByteBuf content = c.content();
      if (o instanceof LastHttpContent last) {
        requestEnded = true;
        if (!last.trailingHeaders().isEmpty()) {
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
        frames.add(new DefaultHttp2DataFrame(content.retain(), false));
      }
    }
  }

  // ---- the response, from the replica's frames -----------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2HeadersFrame f) {
      if (!finalHead) {
        onHead(ctx, f);
      } else if (body == CHUNKED) {
        ByteBuf out = ctx.alloc().buffer(256);
        out.writeByte('0').writeBytes(H2Heads.CRLF);
        H2Heads.lines(out, f.headers(), true);
        out.writeBytes(H2Heads.CRLF);
        body = NONE;
        ctx.fireChannelRead(out);
      }
    } else if (msg instanceof Http2DataFrame d) {
      if (body == RAW) {
        ctx.fireChannelRead(d.content());
        return;
      }
      if (body != CHUNKED) {
        d.release();
        return;
      }
      ByteBuf content = d.content();
      int n = content.readableBytes();
      ByteBuf out = ctx.alloc().buffer(n + 24);
      if (n > 0) {
        out.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
        out.writeBytes(H2Heads.CRLF).writeBytes(content).writeBytes(H2Heads.CRLF);
      }
      if (d.isEndStream()) {
        out.writeByte('0').writeBytes(H2Heads.CRLF).writeBytes(H2Heads.CRLF);
        body = NONE;
      }
      d.release();
      ctx.fireChannelRead(out);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(ChannelHandlerContext ctx, Http2HeadersFrame f) {
    Http2Headers h = f.headers();
    CharSequence statusText = h.status();
    int code;
    try {
      code = statusText == null ? -1 : Integer.parseInt(statusText.toString());
    } catch (NumberFormatException e) {
      code = -1;
    }
    if (code < 100 || code > 999) {
      // No usable :status: the upstream handler sees a closed stream and answers 502.
      ctx.close();
      return;
    }
    ByteBuf out = ctx.alloc().buffer(512);
    out.writeCharSequence(
        "HTTP/1.1 " + code + " " + HttpResponseStatus.valueOf(code).reasonPhrase(),
        StandardCharsets.ISO_8859_1);
    out.writeBytes(H2Heads.CRLF);
    H2Heads.lines(out, h, false);
    if (code < 200) {
      out.writeBytes(H2Heads.CRLF);
      ctx.fireChannelRead(out);
      return;
    }
    finalHead = true;
    boolean length = h.contains(HttpHeaderNames.CONTENT_LENGTH);
    if (f.isEndStream()) {
      if (!length && code != 204 && code != 304) {
        H2Heads.line(out, "content-length", "0");
      }
    } else if (length) {
      body = RAW;
    } else {
      body = CHUNKED;
      H2Heads.line(out, "transfer-encoding", "chunked");
    }
    H2Heads.line(out, "connection", "close");
    out.writeBytes(H2Heads.CRLF);
    ctx.fireChannelRead(out);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    EmbeddedChannel d = requests;
    if (d != null) {
      requests = null;
      d.finishAndReleaseAll();
    }
    ctx.fireChannelInactive();
  }
}
