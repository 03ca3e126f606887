package dev.sluice.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS for the control API from PEM files, as most tools write them: a certificate chain and an
 * unencrypted PKCS#8 private key ({@code openssl pkcs8 -topk8 -nocrypt} converts older formats).
 *
 * @param certificate the server's certificate, followed by any intermediates
 * @param privateKey its key
 */
public record Tls(Path certificate, Path privateKey) {
  private static final Pattern KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

  /** An in-memory key store holding the key and chain under the alias {@code sluice}. */
  public KeyStore keyStore(char[] password) throws IOException {
    try {
      Collection<? extends Certificate> chain;
      try (InputStream in = Files.newInputStream(certificate)) {
        chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (chain.isEmpty()) {
        throw new IOException(
            certificate + ": no certificate (expected: PEM '-----BEGIN CERTIFICATE-----')");
      }
      String pem = Files.readString(privateKey, StandardCharsets.US_ASCII);
      Matcher m = KEY.matcher(pem);
      if (!m.find()) {
        throw new IOException(
            privateKey
                + ": no unencrypted PKCS#8 key (expected: '-----BEGIN PRIVATE KEY-----'; convert"
                + " with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8')");
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      PrivateKey key = null;
      for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
        try {
          key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          break;
        } catch (GeneralSecurityException tryNext) {
          // not this algorithm
        }
      }
      if (key == null) {
        throw new IOException(privateKey + ": the key is not RSA, EC or Ed25519");
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("sluice", key, password, chain.toArray(Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the TLS files: " + e.getMessage(), e);
    }
  }
}
