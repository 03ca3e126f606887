package dev.sluice.router.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 upstream on plain sockets that answers with exactly the bytes a test scripts, in
 * pieces: what a well-behaved server library would not send (a head split anywhere, 1xx responses,
 * a body ended by closing, 204/304 and HEAD answers with framing fields, malformed responses).
 *
 * <p>It reads each request (head, then a Content-Length or chunked body), records it in {@link
 * #received}, and writes the reply's pieces one at a time, pausing briefly between them so that
 * each arrives at the router in a read of its own.
 */
public final class ScriptedUpstream implements AutoCloseable {

  /** A request as received: its head (with CRLFs) and its body, framing included. */
  public record Request(String head, String body) {
    public String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    /** Returns a header's value (first of that name), or null. */
    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /**
   * What to answer: an interim response sent before the request body is read (for {@code Expect:
   * 100-continue}; may be null), the response in pieces, and whether to close afterwards.
   */
  public record Reply(String interim, List<String> pieces, boolean close) {
    public static Reply of(String... pieces) {
      return new Reply(null, List.of(pieces), false);
    }

    public static Reply closing(String... pieces) {
      return new Reply(null, List.of(pieces), true);
    }

    public Reply withInterim(String head) {
      return new Reply(head, pieces, close);
    }

    /** Cuts one response into pieces of {@code size} bytes. */
    public static Reply inPiecesOf(int size, String response) {
      List<String> parts = new java.util.ArrayList<>();
      for (int i = 0; i < response.length(); i += size) {
        parts.add(response.substring(i, Math.min(response.length(), i + size)));
      }
      return new Reply(null, parts, false);
    }
  }

  public final Queue<Request> received = new ConcurrentLinkedQueue<>();
  public final AtomicInteger connectionsOpened = new AtomicInteger();

  private final ServerSocket server;
  private final Function<Request, Reply> script;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private ScriptedUpstream(Function<Request, Reply> script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "scripted-upstream");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts an upstream that answers each request (seen with its head only) by the script. */
  public static ScriptedUpstream start(Function<Request, Reply> script) {
    try {
      return new ScriptedUpstream(script);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        s.setSoTimeout(20_000);
        connectionsOpened.incrementAndGet();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "scripted-upstream-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        Reply reply = script.apply(new Request(head, ""));
        if (reply.interim() != null) {
          out.write(reply.interim().getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
        received.add(new Request(head, readBody(in, head)));
        boolean first = true;
        for (String piece : reply.pieces()) {
          if (!first) {
            // Pacing, not synchronisation: each piece should reach the router in its own read.
            TimeUnit.MILLISECONDS.sleep(2);
          }
          first = false;
          out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
        if (reply.close()) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // The router closed the connection, or the test ended.
    } finally {
      open.remove(s);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      byte[] b = head.toByteArray();
      int n = b.length;
      if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static String readBody(InputStream in, String head) throws IOException {
    Request r = new Request(head, "");
    String length = r.header("content-length");
    if (length != null) {
      return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
    }
    String te = r.header("transfer-encoding");
    if (te == null || !te.toLowerCase(Locale.ROOT).equals("chunked")) {
      return "";
    }
    StringBuilder raw = new StringBuilder();
    while (true) {
      String sizeLine = line(in);
      raw.append(sizeLine).append("\r\n");
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        String t;
        while (!(t = line(in)).isEmpty()) {
          raw.append(t).append("\r\n");
        }
        return raw.append("\r\n").toString();
      }
      raw.append(new String(in.readNBytes(size + 2), StandardCharsets.ISO_8859_1));
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      sb.append((char) c);
    }
    int n = sb.length();
    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
