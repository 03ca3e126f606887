package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing rules ahead of the weights: header, cookie, query, path and host matches, CIDRs. */
class RoutingRulesTest {

  private TestUpstream stable;
  private TestUpstream canary;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    stable = TestUpstream.start("v1-0");
    canary = TestUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
  }

  @AfterEach
  void stop() {
    router.close();
    stable.close();
    canary.close();
  }

  private RoutingTable.Builder table() {
    return RoutingTable.builder()
        .version("v1", 100, List.of(endpoint(stable)))
        .version("v2", 0, List.of(endpoint(canary)));
  }

  private String served(String target, String... headers) throws Exception {
    return served(null, target, headers);
  }

  private String served(InetAddress from, String target, String... headers) throws Exception {
    try (RawHttp http = new RawHttp(listener.address(), from)) {
      StringBuilder req =
          new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: shop.example\r\n");
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      RawHttp.Response r = http.send(req.append("\r\n").toString()).read();
      assertThat(r.status()).isEqualTo(200);
      return r.header("x-upstream");
    }
  }

  @Test
  void aForcedHeaderSendsTheRequestToTheNamedVersionAndOthersFollowTheWeights() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
            .build());
    assertThat(served("/", "X-Canary: true")).isEqualTo("v2-0");
    assertThat(served("/", "x-canary: false")).isEqualTo("v1-0");
    assertThat(served("/", "x-canary: TRUE")).as("values are case-sensitive").isEqualTo("v1-0");
    assertThat(served("/")).isEqualTo("v1-0");
    assertThat(served("/", "x-other: 1", "x-canary: nope", "X-CANARY: true"))
        .as("any field of the name may match")
        .isEqualTo("v2-0");
  }

  @Test
  void headerPrefixAndRegexMatches() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.header("x-user", StringMatch.prefix("beta-"))))
            .rule(RouteRule.to("v2", Match.header("x-id", StringMatch.regex("[0-9]*[02468]"))))
            .build());
    assertThat(served("/", "x-user: beta-ann")).isEqualTo("v2-0");
    assertThat(served("/", "x-user: alpha-ann")).isEqualTo("v1-0");
    assertThat(served("/", "x-id: 1234")).isEqualTo("v2-0");
    assertThat(served("/", "x-id: 1235")).isEqualTo("v1-0");
    assertThat(served("/", "x-id: a1234")).as("a regex matches the whole value").isEqualTo("v1-0");
  }

  @Test
  void cookieAndQueryParameterMatches() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.cookie("plan", StringMatch.regex("beta|gold"))))
            .rule(RouteRule.to("v2", Match.queryParam("preview", StringMatch.exact("new ui"))))
            .build());
    assertThat(served("/", "Cookie: a=1; plan=gold; z=2")).isEqualTo("v2-0");
    assertThat(served("/", "Cookie: a=1", "Cookie: plan=\"beta\"")).isEqualTo("v2-0");
    assertThat(served("/", "Cookie: myplan=gold; plan=free")).isEqualTo("v1-0");
    assertThat(served("/x?a=1&preview=new+ui")).isEqualTo("v2-0");
    assertThat(served("/x?preview=new%20ui&b")).isEqualTo("v2-0");
    assertThat(served("/x?preview=old")).isEqualTo("v1-0");
    assertThat(served("/x?xpreview=new+ui")).isEqualTo("v1-0");
  }

  @Test
  void pathPrefixMatchesAtSegmentBoundariesAndHostIgnoresCaseAndPort() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.pathPrefix("/api").withHost("SHOP.example")))
            .build());
    assertThat(served("/api")).isEqualTo("v2-0");
    assertThat(served("/api/orders?x=1")).isEqualTo("v2-0");
    assertThat(served("/api?x=1")).isEqualTo("v2-0");
    assertThat(served("/apis")).isEqualTo("v1-0");
    assertThat(served("/")).isEqualTo("v1-0");
    try (RawHttp http = new RawHttp(listener.address())) {
      String other = "GET /api HTTP/1.1\r\nHost: other.example\r\n\r\n";
      assertThat(http.send(other).read().header("x-upstream")).isEqualTo("v1-0");
      String withPort = "GET /api HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n";
      assertThat(http.send(withPort).read().header("x-upstream")).isEqualTo("v2-0");
    }
  }

  @Test
  void allConditionsOfAMatchMustHold() throws Exception {
    listener.update(
        table()
            .rule(
                RouteRule.to(
                    "v2",
                    Match.header("x-canary", StringMatch.exact("1"))
                        .withCookie("team", StringMatch.exact("qa"))))
            .build());
    assertThat(served("/", "x-canary: 1")).isEqualTo("v1-0");
    assertThat(served("/", "Cookie: team=qa")).isEqualTo("v1-0");
    assertThat(served("/", "x-canary: 1", "Cookie: team=qa")).isEqualTo("v2-0");
  }

  @Test
  void aRuleLimitedToTrustedSourcesIgnoresOtherClients() throws Exception {
    listener.update(
        table()
            .rule(
                RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true")))
                    .trustedOnly(List.of(Cidr.parse("127.0.0.2/32"), Cidr.parse("10.0.0.0/8"))))
            .build());
    InetAddress outsider = InetAddress.getByName("127.0.0.1");
    InetAddress trusted = InetAddress.getByName("127.0.0.2");
    assertThat(served(outsider, "/", "x-canary: true")).isEqualTo("v1-0");
    assertThat(served(trusted, "/", "x-canary: true")).isEqualTo("v2-0");
    assertThat(served(trusted, "/")).isEqualTo("v1-0");
  }

  @Test
  void aRuleWhoseVersionHasNoHealthyReplicaFallsThroughToTheWeights() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
            .rule(RouteRule.to("v9", Match.any()))
            .build());
    router.health().markDown(endpoint(canary), "test");
    assertThat(served("/", "x-canary: true")).isEqualTo("v1-0");
    assertThat(served("/"))
        .as("a rule for a version not in the table never matches")
        .isEqualTo("v1-0");
  }

  @Test
  void requestsRoutedByRulesAreCountedUnderTheirVersion() throws Exception {
    listener.update(
        table()
            .rule(RouteRule.to("v2", Match.header("x-canary", StringMatch.exact("true"))))
            .build());
    for (int i = 0; i < 3; i++) {
      served("/", "x-canary: true");
    }
    served("/");
    var window = java.time.Duration.ofSeconds(10);
    assertThat(router.metrics().window("shop", "v2", window).requests()).isEqualTo(3);
    assertThat(router.metrics().window("shop", "v1", window).requests()).isEqualTo(1);
  }
}
