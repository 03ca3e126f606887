package dev.sluice.router.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An upstream in its own JVM process, so a test can kill it the hard way (SIGKILL). Run with the
 * replica id as argument; it prints its port on the first line of stdout and answers every path
 * with 200 and its id.
 */
public final class ProcessUpstream implements AutoCloseable {

  public final String id;
  public final int port;
  private final Process process;

  private ProcessUpstream(String id, int port, Process process) {
    this.id = id;
    this.port = port;
    this.process = process;
  }

  /** Starts the process and waits for its port. */
  public static ProcessUpstream start(String id) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ProcessUpstream.class.getName(),
                id)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
    String line = out.readLine();
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("upstream process " + id + " exited before printing its port");
    }
    return new ProcessUpstream(id, Integer.parseInt(line.trim()), p);
  }

  /** Kills the process with SIGKILL and waits for it to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  public static void main(String[] args) throws IOException {
    byte[] body = args[0].getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
    System.out.println(server.getAddress().getPort());
    System.out.flush();
  }
}
