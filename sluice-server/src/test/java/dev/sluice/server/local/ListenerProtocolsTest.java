package dev.sluice.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.UpstreamProtocol;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The daemon's listeners take the spec's tls, http2 and upstreamProtocol; health checks of h2c apps
 * speak h2c.
 */
class ListenerProtocolsTest {

  @Test
  void listenerOptionsFollowTheSpecsProtocolFields() throws Exception {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: echo
                    listen: 127.0.0.1:9443
                    tls: {cert: tls/echo.crt, key: tls/echo.key, reloadInterval: 5s}
                    http2: true
                    upstreamProtocol: h2c
                    runtime: {process: {command: [x]}}
                """,
                "sluice.yaml")
            .app("echo")
            .orElseThrow();
    ListenerOptions o = LocalPlatform.listenerOptions(app, app.listen());
    assertThat(o.tls().certificateChain()).isEqualTo(Path.of("tls/echo.crt"));
    assertThat(o.tls().privateKey()).isEqualTo(Path.of("tls/echo.key"));
    assertThat(o.tls().reloadInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.http2()).isTrue();
    assertThat(o.upstreamProtocol()).isEqualTo(UpstreamProtocol.HTTP2);
    assertThat(LocalPlatform.health(app).h2c()).isTrue();
  }

  @Test
  void withoutTheFieldsAListenerIsPlainHttp11() throws Exception {
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
    ListenerOptions o = LocalPlatform.listenerOptions(app, app.listen());
    assertThat(o.tls()).isNull();
    assertThat(o.http2()).isFalse();
    assertThat(o.upstreamProtocol()).isEqualTo(UpstreamProtocol.HTTP1);
    assertThat(LocalPlatform.health(app).h2c()).isFalse();
  }
}
