package dev.sluice.router.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.x client over one plain socket, for what the JDK client hides: exact request
 * bytes, HTTP/1.0, pipelining, the connection's fate.
 */
public final class RawHttp implements AutoCloseable {

  /** A parsed response; header names lower case. */
  public record Response(String version, int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(InetSocketAddress address) throws IOException {
    this(address, null);
  }

  /** Connects from a chosen local address (any 127.x.y.z works on Linux loopback), or null. */
  public RawHttp(InetSocketAddress address, java.net.InetAddress from) throws IOException {
    socket =
        from == null
            ? new Socket(address.getAddress(), address.getPort())
            : new Socket(address.getAddress(), address.getPort(), from, 0);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  public RawHttp send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /**
   * Sends the bytes in pieces of {@code size}, pausing briefly after each so that the router gets
   * them in separate reads (pacing, not synchronisation).
   */
  public RawHttp sendInPieces(String raw, int size) throws IOException {
    byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < b.length; i += size) {
      out.write(b, i, Math.min(size, b.length - i));
      out.flush();
      try {
        java.util.concurrent.TimeUnit.MILLISECONDS.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException();
      }
    }
    return this;
  }

  public OutputStream output() {
    return out;
  }

  public InputStream input() {
    return in;
  }

  /** Reads one response; {@code head} says it answers a HEAD request (no body). */
  public Response read() throws IOException {
    return read(false);
  }

  public Response read(boolean head) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while ((l = line()) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    int status = Integer.parseInt(parts[1]);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head || status == 204 || status == 304 || status / 100 == 1) {
      // no body
    } else if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(size));
        line();
      }
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(parts[0], status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** Returns true when the server closed the connection (reads end of stream). */
  public boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
