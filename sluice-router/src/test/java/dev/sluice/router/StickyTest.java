package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sticky assignment: consistent hashing of a user key, and the router's session cookie. */
class StickyTest {

  private static final int USERS = 10_000;

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

  private RoutingTable weights(int v1, int v2, Sticky sticky) {
    return RoutingTable.builder()
        .version("v1", v1, List.of(endpoint(stable)))
        .version("v2", v2, List.of(endpoint(canary)))
        .sticky(sticky)
        .build();
  }

  /** Sends one request per user, pipelined in batches, and returns who served each. */
  private Map<Integer, String> servedPerUser(int users, IntFunction<String> header)
      throws Exception {
    Map<Integer, String> served = new HashMap<>();
    try (RawHttp http = new RawHttp(listener.address())) {
      int batch = 250;
      for (int from = 0; from < users; from += batch) {
        StringBuilder requests = new StringBuilder();
        for (int u = from; u < from + batch; u++) {
          requests.append("HEAD / HTTP/1.1\r\nHost: shop\r\n").append(header.apply(u));
          requests.append("\r\n\r\n");
        }
        http.send(requests.toString());
        for (int u = from; u < from + batch; u++) {
          RawHttp.Response r = http.read(true);
          assertThat(r.status()).isEqualTo(200);
          served.put(u, r.header("x-upstream"));
        }
      }
    }
    return served;
  }

  private static Set<Integer> on(Map<Integer, String> served, String id) {
    Set<Integer> users = new HashSet<>();
    served.forEach(
        (u, s) -> {
          if (s.equals(id)) {
            users.add(u);
          }
        });
    return users;
  }

  /**
   * Raises the canary 5 -> 25 -> 50 -> 100 with 10,000 users and checks, at each step, that every
   * user on the canary before is still on it (no user moves from canary back to stable) and that
   * the canary's share of users is within 1.5 points of its weight. The hash of 10,000 ids is
   * Binomial(10000, w): the standard deviation is 0.5 points at 50 %, so 1.5 is 3 sd there and more
   * at the other weights; at 100 % the share is exact.
   */
  private void raiseTheCanaryAndCheckNoUserMovesBack(Sticky sticky, IntFunction<String> key)
      throws Exception {
    Set<Integer> previous = Set.of();
    for (int weight : new int[] {5, 25, 50, 100}) {
      listener.update(weights(100 - weight, weight, sticky));
      Map<Integer, String> served = servedPerUser(USERS, key);
      Set<Integer> onCanary = on(served, "v2-0");
      assertThat(onCanary).as("canary users at %d %%", weight).containsAll(previous);
      assertThat(onCanary.size() + on(served, "v1-0").size()).isEqualTo(USERS);
      assertThat(onCanary.size() * 100.0 / USERS)
          .as("canary share at %d %%", weight)
          .isCloseTo(weight, org.assertj.core.data.Offset.offset(1.5));
      previous = onCanary;
    }
    assertThat(previous).hasSize(USERS);
  }

  @Test
  void raisingTheCanaryFrom5To25To50To100MovesNoUserBackToStable() throws Exception {
    raiseTheCanaryAndCheckNoUserMovesBack(Sticky.header("x-user-id"), u -> "x-user-id: user-" + u);
  }

  @Test
  void raisingTheCanaryMovesNoUserBackToStableWithACookieKeyEither() throws Exception {
    raiseTheCanaryAndCheckNoUserMovesBack(
        Sticky.cookie("uid"), u -> "Cookie: theme=dark; uid=user-" + u + "; lang=en");
  }

  @Test
  void usersKeepTheirVersionWhenAReplicaIsAddedOrRemoved() throws Exception {
    IntFunction<String> key = u -> "x-user-id: " + u;
    Sticky sticky = Sticky.header("x-user-id");
    try (TestUpstream stable2 = TestUpstream.start("v1-1");
        TestUpstream canary2 = TestUpstream.start("v2-1")) {
      listener.update(weights(75, 25, sticky));
      Map<Integer, String> before = versionPerUser(servedPerUser(USERS, key));

      // A second stable replica, then a second canary replica: replicas serve a version, they
      // take no part in which version a user hashes to.
      listener.update(
          RoutingTable.builder()
              .version("v1", 75, List.of(endpoint(stable), endpoint(stable2)))
              .version("v2", 25, List.of(endpoint(canary)))
              .sticky(sticky)
              .build());
      Map<Integer, String> served = servedPerUser(USERS, key);
      assertThat(versionPerUser(served)).isEqualTo(before);
      assertThat(on(served, "v1-1")).as("the new replica takes traffic").isNotEmpty();

      listener.update(
          RoutingTable.builder()
              .version("v1", 75, List.of(endpoint(stable2)))
              .version("v2", 25, List.of(endpoint(canary), endpoint(canary2)))
              .sticky(sticky)
              .build());
      served = servedPerUser(USERS, key);
      assertThat(versionPerUser(served)).isEqualTo(before);
      assertThat(on(served, "v1-0")).as("the removed replica takes none").isEmpty();
      assertThat(on(served, "v2-1")).isNotEmpty();
    }
  }

  /** Maps replica ids ({@code v1-0}) to their version ({@code v1}). */
  private static Map<Integer, String> versionPerUser(Map<Integer, String> served) {
    Map<Integer, String> out = new HashMap<>();
    served.forEach((u, id) -> out.put(u, id.substring(0, id.indexOf('-'))));
    return out;
  }

  @Test
  void theSameUserAlwaysReachesTheSameVersionAndACookieKeyWorksAlike() throws Exception {
    listener.update(weights(50, 50, Sticky.cookie("uid")));
    Map<Integer, String> first = servedPerUser(2000, u -> "Cookie: theme=dark; uid=" + u);
    Map<Integer, String> again = servedPerUser(2000, u -> "Cookie: uid=" + u);
    assertThat(again).isEqualTo(first);
    // Binomial(2000, 0.5): sd = 22.4; +-100 is about 4.5 sd.
    assertThat(on(first, "v2-0").size()).isBetween(900, 1100);
  }

  @Test
  void requestsWithoutTheKeyFollowTheWeights() throws Exception {
    listener.update(weights(0, 100, Sticky.header("x-user-id")));
    try (RawHttp http = new RawHttp(listener.address())) {
      assertThat(http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().header("x-upstream"))
          .isEqualTo("v2-0");
      assertThat(
              http.send("GET / HTTP/1.1\r\nHost: a\r\nx-user-id: \r\n\r\n")
                  .read()
                  .header("x-upstream"))
          .isEqualTo("v2-0");
    }
  }

  @Test
  void aSessionCookieKeepsAClientOnItsVersionThroughASwitchUntilTheVersionLeaves()
      throws Exception {
    listener.update(weights(100, 0, Sticky.sessionCookie("sluice")));
    String cookie;
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response first = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(first.header("x-upstream")).isEqualTo("v1-0");
      assertThat(first.header("set-cookie")).isEqualTo("sluice=v1; Path=/; HttpOnly; SameSite=Lax");
      cookie = "Cookie: sluice=v1\r\n";
      RawHttp.Response pinned = http.send("GET / HTTP/1.1\r\nHost: a\r\n" + cookie + "\r\n").read();
      assertThat(pinned.header("x-upstream")).isEqualTo("v1-0");
      assertThat(pinned.header("set-cookie")).as("no new cookie while pinned").isNull();

      // The switch: v2 takes all new sessions, v1 stays in the table at weight 0.
      listener.update(weights(0, 100, Sticky.sessionCookie("sluice")));
      assertThat(
              http.send("GET / HTTP/1.1\r\nHost: a\r\n" + cookie + "\r\n")
                  .read()
                  .header("x-upstream"))
          .isEqualTo("v1-0");
      RawHttp.Response fresh = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(fresh.header("x-upstream")).isEqualTo("v2-0");
      assertThat(fresh.header("set-cookie")).startsWith("sluice=v2;");

      // v1 leaves the table: its clients move and get a new cookie.
      listener.update(
          RoutingTable.builder()
              .version("v2", 100, List.of(endpoint(canary)))
              .sticky(Sticky.sessionCookie("sluice"))
              .build());
      RawHttp.Response moved = http.send("GET / HTTP/1.1\r\nHost: a\r\n" + cookie + "\r\n").read();
      assertThat(moved.header("x-upstream")).isEqualTo("v2-0");
      assertThat(moved.header("set-cookie")).startsWith("sluice=v2;");
    }
  }
}
