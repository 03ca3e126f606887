package dev.sluice.router.internal;

import dev.sluice.router.TlsFiles;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context of one listener, read from its PEM files and read again when they change.
 *
 * <p>Each new connection takes {@link #current()}; a connection keeps the context it started with,
 * so a reload never touches open connections. {@link #check()} compares the files' bytes with the
 * pair in use (contents, not modification times: a copy within the same clock tick still counts). A
 * new pair is used only when both files parse and the key belongs to the certificate (a signature
 * made with the key verifies with the certificate's public key); a pair that fails is logged once
 * and the old context stays, which also covers the moment between writing the certificate and
 * writing the key.
 */
final class TlsCertificates {

  private static final Logger log = LoggerFactory.getLogger(TlsCertificates.class);
  private static final Pattern KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

  private final TlsFiles files;
  private final boolean http2;
  private volatile SslContext current;
  private byte[] certBytes;
  private byte[] keyBytes;
  private byte @Nullable [] failedCert;
  private byte @Nullable [] failedKey;

  /**
   * Reads the pair once.
   *
   * @throws UncheckedIOException when a file cannot be read or the pair is not usable, with a
   *     message naming the file and what was expected
   */
  TlsCertificates(TlsFiles files, boolean http2) {
    this.files = files;
    this.http2 = http2;
    try {
      this.certBytes = Files.readAllBytes(files.certificateChain());
      this.keyBytes = Files.readAllBytes(files.privateKey());
      this.current = context(certBytes, keyBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The context for a new connection. */
  SslContext current() {
    return current;
  }

  TlsFiles files() {
    return files;
  }

  /**
   * Reads the files and switches to them when they changed and form a usable pair; returns whether
   * it switched. Called from one thread at a time (the listener's reload task).
   */
  synchronized boolean check() {
    byte[] cert;
    byte[] key;
    try {
      cert = Files.readAllBytes(files.certificateChain());
      key = Files.readAllBytes(files.privateKey());
    } catch (IOException e) {
      log.warn("TLS files not reloaded, the current certificate stays in use: {}", e.toString());
      return false;
    }
    if (Arrays.equals(cert, certBytes) && Arrays.equals(key, keyBytes)) {
      return false;
    }
    if (Arrays.equals(cert, failedCert) && Arrays.equals(key, failedKey)) {
      return false;
    }
    try {
      SslContext next = context(cert, key);
      current = next;
      certBytes = cert;
      keyBytes = key;
      failedCert = null;
      failedKey = null;
      log.info("TLS certificate reloaded from {}", files.certificateChain());
      return true;
    } catch (IOException e) {
      failedCert = cert;
      failedKey = key;
      log.warn("TLS files not reloaded, the current certificate stays in use: {}", e.getMessage());
      return false;
    }
  }

  private SslContext context(byte[] cert, byte[] key) throws IOException {
    X509Certificate[] chain = certificates(cert);
    PrivateKey privateKey = privateKey(key, chain[0].getPublicKey());
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(privateKey, chain)
              .sslProvider(SslProvider.JDK)
              .protocols("TLSv1.3", "TLSv1.2");
      if (http2) {
        // RFC 9113 9.2.2: h2 refuses the weak TLS 1.2 suites, so offer only the ones it allows.
        b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2,
                    ApplicationProtocolNames.HTTP_1_1));
      }
      return b.build();
    } catch (Exception e) {
      throw new IOException(
          files.certificateChain() + ", " + files.privateKey() + ": not usable for TLS: " + e, e);
    }
  }

  private X509Certificate[] certificates(byte[] pem) throws IOException {
    try {
      List<X509Certificate> chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))
              .stream()
              .map(c -> (X509Certificate) c)
              .toList();
      if (chain.isEmpty()) {
        throw new IOException("no certificate");
      }
      return chain.toArray(X509Certificate[]::new);
    } catch (GeneralSecurityException | IOException e) {
      throw new IOException(
          "tls.cert: "
              + files.certificateChain()
              + ": no certificate could be read ("
              + e.getMessage()
              + "; expected: PEM blocks '-----BEGIN CERTIFICATE-----', the server's first)",
          e);
    }
  }

  private PrivateKey privateKey(byte[] pem, PublicKey certKey) throws IOException {
    Matcher m = KEY.matcher(new String(pem, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new IOException(
          "tls.key: "
              + files.privateKey()
              + ": no unencrypted PKCS#8 key (expected: '-----BEGIN PRIVATE KEY-----'; convert"
              + " with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8')");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1));
    } catch (IllegalArgumentException e) {
      throw new IOException("tls.key: " + files.privateKey() + ": the PEM block is not base64");
    }
    String algorithm = certKey.getAlgorithm();
    PrivateKey key;
    try {
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "tls.key: "
              + files.privateKey()
              + ": not a "
              + algorithm
              + " key like the certificate's ("
              + e.getMessage()
              + ")",
          e);
    }
    if (!belongsTo(key, certKey)) {
      throw new IOException(
          "tls.key: "
              + files.privateKey()
              + ": does not belong to the certificate in "
              + files.certificateChain()
              + " (expected: the private key of its first certificate)");
    }
    return key;
  }

  /** Signs a few bytes with the key and verifies them with the certificate's public key. */
  private static boolean belongsTo(PrivateKey key, PublicKey certKey) {
    String alg =
        switch (certKey.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (alg == null) {
      // An algorithm this check does not know: the handshake will tell.
      return true;
    }
    try {
      byte[] probe = "sluice".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(certKey);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
