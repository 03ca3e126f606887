package dev.sluice.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock Kubernetes API server in CRUD mode (it stores what is written and serves lists and
 * watches) on a loopback port, over plain HTTP, with a client for it. No real API server can run on
 * the build machines; this is the closest stand-in: the real client speaks the real API to it.
 */
public final class MockCluster implements AutoCloseable {
  /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private MockCluster(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static MockCluster start() {
    // one line per request at INFO: the tests make thousands
    QUIET.setLevel(Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    return new MockCluster(server, server.createClient());
  }

  public KubernetesClient client() {
    return client;
  }

  /** A second client of the same server (another Sluice, say). */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
