package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.TestCertificates;
import dev.sluice.router.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination from PEM files, and their reload while traffic runs. */
class TlsListenerTest {

  private static TestCertificates.Pair first;
  private static TestCertificates.Pair second;
  private static SSLContext trustAll;

  @TempDir Path dir;
  private Path cert;
  private Path key;
  private TestUpstream upstream;
  private Router router;

  @BeforeAll
  static void makeCertificates() throws Exception {
    List<TestCertificates.Pair> pairs = TestCertificates.shared("first", "second");
    first = pairs.get(0);
    second = pairs.get(1);
    trustAll = TestCertificates.trustAll();
  }

  @BeforeEach
  void start() throws IOException {
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    first.installAs(cert, key);
    upstream = TestUpstream.start("v1-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
  }

  @AfterEach
  void stop() {
    router.close();
    upstream.close();
  }

  private Listener listen() {
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withTls(new TlsFiles(cert, key, Duration.ofMillis(100))));
    l.update(Fixtures.single("v1", upstream));
    return l;
  }

  /** One request on its own TLS connection; returns the certificate's CN, or throws. */
  private static String oneRequest(InetSocketAddress a, String path) throws IOException {
    try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket()) {
      s.connect(a, 5000);
      s.setSoTimeout(10_000);
      s.startHandshake();
      String status = exchange(s, path, true);
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException("answer: " + status);
      }
      return cn(s);
    }
  }

  private static String cn(SSLSocket s) throws IOException {
    return TestCertificates.first(s.getSession().getPeerCertificates())
        .getSubjectX500Principal()
        .getName();
  }

  /** Sends a GET and reads the response (Content-Length framed); returns its status line. */
  private static String exchange(SSLSocket s, String path, boolean close) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: shop\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    String head = readHead(in);
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (in.readNBytes(length).length != length) {
      throw new IOException("body cut short");
    }
    return head.substring(0, head.indexOf("\r\n"));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    throw new IOException("connection closed before a response head");
  }

  @Test
  void servesRequestsOverTlsAndTellsTheUpstream() throws Exception {
    Listener l = listen();
    try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket()) {
      s.connect(l.address(), 5000);
      s.setSoTimeout(10_000);
      s.startHandshake();
      assertThat(cn(s)).isEqualTo("CN=first");
      OutputStream out = s.getOutputStream();
      out.write("GET /hi HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n".getBytes());
      out.flush();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response)
          .startsWith("HTTP/1.1 200")
          .contains("v1-0")
          .containsIgnoringCase("x-forwarded-proto: https");
    }
  }

  @Test
  void reloadsTheCertificateUnderLoadWithoutFailedRequests() throws Exception {
    Listener l = listen();
    // A keep-alive connection opened before the reload.
    SSLSocket old = (SSLSocket) trustAll.getSocketFactory().createSocket();
    old.connect(l.address(), 5000);
    old.setSoTimeout(10_000);
    old.startHandshake();
    assertThat(exchange(old, "/before", false)).startsWith("HTTP/1.1 200");

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread th =
          Thread.ofPlatform()
              .start(
                  () -> {
                    // Bounded: at most 2000 requests per thread.
                    for (int i = 0; i < 2000 && !stop.get(); i++) {
                      try {
                        seen.add(oneRequest(l.address(), "/load"));
                        ok.incrementAndGet();
                      } catch (IOException e) {
                        synchronized (failures) {
                          failures.add(e.toString());
                        }
                      }
                    }
                  });
      load.add(th);
    }
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= 30);
      second.installAs(cert, key);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> oneRequest(l.address(), "/probe").equals("CN=second"));
      int atSwitch = ok.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= atSwitch + 30);
    } finally {
      stop.set(true);
      for (Thread th : load) {
        th.join(20_000);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(seen).contains("CN=first", "CN=second");
    // The connection from before keeps its session and still works.
    assertThat(exchange(old, "/after", true)).startsWith("HTTP/1.1 200");
    assertThat(cn(old)).isEqualTo("CN=first");
    old.close();
  }

  @Test
  void aBrokenNewPairIsRefusedAndTheOldCertificateStays() throws Exception {
    Listener l = listen();
    // The second certificate with the first key: they do not belong together.
    Files.copy(second.cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(5))
        .until(() -> oneRequest(l.address(), "/still").equals("CN=first"));
    Files.copy(second.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> oneRequest(l.address(), "/now").equals("CN=second"));
  }

  @Test
  void listenRefusesUnusableFilesNamingThem() throws Exception {
    Path rsa = dir.resolve("rsa.pem");
    Files.writeString(
        rsa, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> router.listen(ListenerOptions.of("shop", ANY_PORT).withTls(cert, rsa)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("tls.key: " + rsa)
        .hasMessageContaining("PKCS#8");
    assertThatThrownBy(
            () ->
                router.listen(
                    ListenerOptions.of("shop", ANY_PORT).withTls(second.cert(), first.key())))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("does not belong to the certificate in " + second.cert());
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () -> router.listen(ListenerOptions.of("shop", ANY_PORT).withTls(missing, key)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(missing.toString());
    Path notPem = dir.resolve("text.pem");
    Files.writeString(notPem, "hello\n");
    assertThatThrownBy(
            () -> router.listen(ListenerOptions.of("shop", ANY_PORT).withTls(notPem, key)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("tls.cert: " + notPem);
  }
}
