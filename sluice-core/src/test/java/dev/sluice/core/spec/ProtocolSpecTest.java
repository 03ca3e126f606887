package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec's tls, http2 and upstreamProtocol fields (docs/spec.md, docs/protocols.md). */
class ProtocolSpecTest {

  private static List<String> problems(String yaml) {
    try {
      SpecParser.parse(yaml, "sluice.yaml");
    } catch (SpecException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("expected the spec to be rejected:\n" + yaml);
  }

  @Test
  void defaultsArePlainHttp11BothWays() throws SpecException {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [x]}}
                """,
                "sluice.yaml")
            .app("shop")
            .orElseThrow();
    assertThat(app.protocols()).isEqualTo(ProtocolSpec.defaults());
  }

  @Test
  void readsTlsHttp2AndTheUpstreamProtocol() throws SpecException {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8443
                    tls: {cert: tls/cert.pem, key: tls/key.pem, reloadInterval: 10s}
                    http2: true
                    upstreamProtocol: h2c
                    runtime: {process: {command: [x]}}
                """,
                "sluice.yaml")
            .app("shop")
            .orElseThrow();
    assertThat(app.protocols())
        .isEqualTo(
            new ProtocolSpec(
                new ProtocolSpec.Tls("tls/cert.pem", "tls/key.pem", Duration.ofSeconds(10)),
                true,
                ProtocolSpec.Upstream.H2C));
  }

  @Test
  void tlsReloadsEveryTwoSecondsByDefault() throws SpecException {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8443
                    tls: {cert: c.pem, key: k.pem}
                    runtime: {process: {command: [x]}}
                """,
                "sluice.yaml")
            .app("shop")
            .orElseThrow();
    assertThat(app.protocols().tls().reloadInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(app.protocols().http2()).isFalse();
  }

  @Test
  void badProtocolFieldsAreExplained() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8443
                    tls: {cert: c.pem, reloadInterval: 0s, password: x}
                    http2: yes please
                    upstreamProtocol: grpc
                    runtime: {process: {command: [x]}}
                """))
        .containsExactly(
            "sluice.yaml:4:10: apps[0].tls.key: missing (expected: the path of a PEM PKCS#8"
                + " private key)",
            "sluice.yaml:4:40: apps[0].tls.reloadInterval: \"0s\" (expected: a duration like"
                + " 500ms, 30s, 10m or 1h30m, 100ms..1h)",
            "sluice.yaml:4:44: apps[0].tls.password: unknown field (expected: one of cert, key,"
                + " reloadInterval)",
            "sluice.yaml:5:12: apps[0].http2: \"yes please\" (expected: true or false)",
            "sluice.yaml:6:23: apps[0].upstreamProtocol: \"grpc\" (expected: http1 or h2c)");
  }

  @Test
  void appsSharingAnAddressMustAgreeOnProtocols() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8443
                    hosts: [shop.example.com]
                    tls: {cert: c.pem, key: k.pem}
                    runtime: {process: {command: [x]}}
                  - name: blog
                    listen: 127.0.0.1:8443
                    hosts: [blog.example.com]
                    runtime: {process: {command: [x]}}
                """))
        .containsExactly(
            "sluice.yaml:8:13: apps[1].listen: \"127.0.0.1:8443\" with tls none, http2 false,"
                + " upstreamProtocol http1 (expected: the same tls, http2 and upstreamProtocol as"
                + " the other apps on this address (apps[0].listen: tls"
                + " {\"cert\":\"c.pem\",\"key\":\"k.pem\"}, http2 false, upstreamProtocol http1))");
  }
}
