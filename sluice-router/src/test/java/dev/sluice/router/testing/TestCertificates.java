package dev.sluice.router.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Self-signed certificates for TLS tests, made by the JDK's {@code keytool} (a real process) and
 * written as the PEM files a listener reads: the certificate, and the key in PKCS#8.
 */
public final class TestCertificates {
  private TestCertificates() {}

  /** A PEM pair on disk and the certificate it holds. */
  public record Pair(Path cert, Path key, X509Certificate certificate) {

    /** Copies this pair over {@code cert} and {@code key}, each file replaced atomically. */
    public void installAs(Path certPath, Path keyPath) throws IOException {
      replace(cert, certPath);
      replace(key, keyPath);
    }

    private static void replace(Path from, Path to) throws IOException {
      Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
      Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static final Map<String, Pair> SHARED = new ConcurrentHashMap<>();
  private static Path sharedDir;

  /**
   * Returns pairs named {@code cns}, made once per test JVM (keytool is a JVM start each), all at
   * the same time.
   */
  public static synchronized List<Pair> shared(String... cns) throws Exception {
    if (sharedDir == null) {
      sharedDir = Files.createTempDirectory("sluice-test-certs");
      sharedDir.toFile().deleteOnExit();
    }
    List<CompletableFuture<Pair>> made = new ArrayList<>();
    for (String cn : cns) {
      Pair known = SHARED.get(cn);
      made.add(
          known != null
              ? CompletableFuture.completedFuture(known)
              : CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return create(sharedDir, cn);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    List<Pair> out = new ArrayList<>();
    for (int i = 0; i < cns.length; i++) {
      Pair p = made.get(i).get(2, TimeUnit.MINUTES);
      SHARED.put(cns[i], p);
      out.add(p);
    }
    return out;
  }

  /** Makes an EC (P-256) key and a self-signed certificate for 127.0.0.1 named {@code cn}. */
  public static Pair create(Path dir, String cn) throws Exception {
    Path store = dir.resolve(cn + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-alias",
                "k",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=" + cn,
                "-ext",
                "san=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate("k");
    Path certPem = dir.resolve(cn + ".crt.pem");
    Path keyPem = dir.resolve(cn + ".key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
    return new Pair(certPem, keyPem, cert);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** A client context that accepts any server certificate (the tests compare them instead). */
  public static SSLContext trustAll() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, null);
    return ctx;
  }

  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Returns the first certificate of a peer chain. */
  public static X509Certificate first(Certificate[] chain) {
    return (X509Certificate) chain[0];
  }
}
