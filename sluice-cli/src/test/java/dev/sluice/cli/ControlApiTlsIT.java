package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control API over TLS from PEM files, with a certificate made by openssl in the test. */
class ControlApiTlsIT {
  @TempDir Path dir;

  @Test
  void theApiServesHttpsAndTheCliTrustsTheGivenCertificateOnly() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue())
        .as(new String(openssl.getInputStream().readAllBytes()))
        .isZero();

    try (Sluice s =
        new Sluice(dir, Sluice.sampleSpec(1, "blueGreen: {}"))
            .up("--api-tls-cert", cert.toString(), "--api-tls-key", key.toString())) {
      assertThat(s.apiUrl()).startsWith("https://127.0.0.1:");
      Sluice.Result trusted = s.cli("status", "shop", "--cacert", cert.toString());
      assertThat(trusted.exit()).as(trusted.toString()).isZero();
      assertThat(trusted.out()).startsWith("shop  listen 127.0.0.1:");

      Sluice.Result untrusted = s.cli("status", "shop");
      assertThat(untrusted.exit()).isEqualTo(3);
      assertThat(untrusted.err())
          .contains("cannot talk to the Sluice daemon at https://127.0.0.1:");

      Sluice.Result plain =
          s.cli(
              "status",
              "shop",
              "--server",
              s.apiUrl().replace("https://", "http://"),
              "--token",
              s.token());
      assertThat(plain.exit()).as("plain HTTP to the TLS port").isNotZero();
    }
    assertThat(Files.readString(dir.resolve("daemon.log")))
        .doesNotContain("not a loopback address");
  }
}
