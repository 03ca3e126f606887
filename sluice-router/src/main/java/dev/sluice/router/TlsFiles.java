package dev.sluice.router;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The PEM files of a TLS listener: its certificate chain and private key, watched for changes.
 *
 * <p>The files are read when the listener starts (an unreadable or mismatched pair fails {@link
 * Router#listen}, with an {@link java.io.UncheckedIOException} naming the file) and read again
 * every {@code reloadInterval}; when their contents changed and form a usable pair, new connections
 * get the new certificate, while open connections keep theirs. A pair that fails to load (or whose
 * key does not belong to the certificate) is logged and the old one stays in use. The key must be
 * PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted.
 *
 * @param certificateChain the certificate, then its intermediates, in PEM
 * @param privateKey the private key in PEM (PKCS#8)
 * @param reloadInterval how often the files are checked
 */
public record TlsFiles(Path certificateChain, Path privateKey, Duration reloadInterval) {

  /** Validates. */
  public TlsFiles {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException(
          "tls.reloadInterval: " + reloadInterval + " (expected: a positive duration)");
    }
  }

  /** Files checked every 2 seconds. */
  public TlsFiles(Path certificateChain, Path privateKey) {
    this(certificateChain, privateKey, Duration.ofSeconds(2));
  }
}
