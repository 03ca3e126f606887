package dev.sluice.runtime.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.runtime.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticRuntimeTest {
  private final StaticRuntime runtime = StaticRuntime.create();

  @Test
  void aVersionsUrlsBecomeItsEndpointsInOrder() {
    runtime.define(
        "shop",
        "v1",
        List.of("http://10.0.0.5:8080", "http://backend.internal/", "http://[::1]:9000"));

    assertThat(runtime.endpoints("shop", "v1"))
        .containsExactly(
            new Endpoint("shop/v1/0", "10.0.0.5", 8080),
            new Endpoint("shop/v1/1", "backend.internal", 80),
            new Endpoint("shop/v1/2", "::1", 9000));
    assertThat(runtime.endpoints("shop", "v2")).isEmpty();
  }

  @Test
  void definingAgainReplacesAndRemovingForgets() {
    runtime.define("shop", "v1", List.of("http://127.0.0.1:8080"));
    runtime.define("shop", "v1", List.of("http://127.0.0.1:8081"));

    assertThat(runtime.endpoints("shop", "v1")).extracting(Endpoint::port).containsExactly(8081);
    runtime.remove("shop", "v1");
    assertThat(runtime.endpoints("shop", "v1")).isEmpty();
  }

  @Test
  void aUrlTheRouterCannotUseIsRefusedWithItsPositionAndNothingChanges() {
    runtime.define("shop", "v1", List.of("http://127.0.0.1:8080"));

    assertThatThrownBy(
            () -> runtime.define("shop", "v1", List.of("http://127.0.0.1:8081", "https://a:443")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("shop v1 urls[1]: 'https://a:443' (expected: http://host[:port]");
    assertThatThrownBy(() -> runtime.define("shop", "v1", List.of("http://a:80/api")))
        .hasMessageContaining("urls[0]: 'http://a:80/api' has a path");
    assertThatThrownBy(() -> runtime.define("shop", "v1", List.of("not a url")))
        .hasMessageContaining("urls[0]: 'not a url' is not a URL");
    assertThatThrownBy(() -> runtime.define("shop", "v1", List.of()))
        .hasMessageContaining("urls: []");
    assertThat(runtime.endpoints("shop", "v1")).extracting(Endpoint::port).containsExactly(8080);
  }
}
