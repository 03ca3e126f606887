package dev.sluice.router.testing;

import dev.sluice.router.Endpoint;
import dev.sluice.router.RoutingTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Small helpers shared by the router tests. */
public final class Fixtures {
  private Fixtures() {}

  public static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

  public static Endpoint endpoint(TestUpstream u) {
    return new Endpoint(u.id, "127.0.0.1", u.port());
  }

  public static RoutingTable single(String version, TestUpstream... upstreams) {
    return RoutingTable.builder()
        .version(version, 100, java.util.Arrays.stream(upstreams).map(Fixtures::endpoint).toList())
        .build();
  }

  /** Returns a port on which nothing listens (bound once, then closed). */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  public static HttpResponse<String> get(HttpClient c, InetSocketAddress a, String path)
      throws IOException, InterruptedException {
    return c.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The first line of a test upstream's body: the id of the upstream that answered. */
  public static String servedBy(HttpResponse<String> r) {
    return r.body().lines().findFirst().orElse("");
  }

  public static List<String> lines(String body) {
    return body.lines().toList();
  }
}
