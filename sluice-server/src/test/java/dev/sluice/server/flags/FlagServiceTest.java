package dev.sluice.server.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.time.FakeClock;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.flags.Reason;
import dev.sluice.store.FlagChangeRecord;
import dev.sluice.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagServiceTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static final String CHECKOUT =
      """
      {"flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"fractional": [["on", 10], ["off", 90]]},
          "metadata": {"owner": "team-checkout", "expires": "2026-12-31"}
        },
        "banner": {
          "state": "ENABLED",
          "variants": {"red": "#f00", "blue": "#00f"},
          "defaultVariant": "red"
        }
      }}
      """;

  @TempDir Path dir;
  private final FakeClock clock = FakeClock.at(T0);
  private final List<AutoCloseable> open = new ArrayList<>();

  private Store store() {
    Store store = Store.sqlite(dir.resolve("sluice.db"));
    open.add(store);
    return store;
  }

  private FlagService start(Store store) {
    FlagService service =
        FlagService.start(
            store, clock, new FlagService.Options(Duration.ofHours(1), Duration.ofMillis(50)));
    open.add(service);
    return service;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private static SequencedMap<String, Integer> weights(Object... pairs) {
    SequencedMap<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return out;
  }

  @Test
  void everyChangeIsANewVersionWithTheChangedFlagsBeforeAndAfter() {
    FlagService flags = start(store());
    assertThat(flags.current().version()).isZero();
    assertThat(flags.current().flags().flags()).isEmpty();

    FlagCommit imported = flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    assertThat(imported.changed()).isTrue();
    assertThat(imported.version().version()).isEqualTo(1);
    assertThat(imported.changedKeys()).containsExactly("banner", "new-checkout");

    clock.advance(Duration.ofMinutes(1));
    FlagCommit disabled =
        flags.setState("new-checkout", FlagState.DISABLED, "production", "ada", null);
    assertThat(disabled.version().version()).isEqualTo(2);
    assertThat(disabled.changedKeys()).containsExactly("new-checkout");
    assertThat(
            flags
                .evaluator()
                .booleanValue(
                    "new-checkout",
                    true,
                    EvaluationContext.builder()
                        .targetingKey("u1")
                        .environment("production")
                        .build())
                .reason())
        .isEqualTo(Reason.DISABLED);

    List<FlagChangeRecord> history = flags.history("new-checkout");
    assertThat(history).extracting(FlagChangeRecord::version).containsExactly(1L, 2L);
    FlagChangeRecord last = history.get(1);
    assertThat(last.actor()).isEqualTo("ada");
    assertThat(last.action()).isEqualTo("disable");
    assertThat(last.detail()).isEqualTo("disabled new-checkout in production");
    assertThat(last.at()).isEqualTo(T0.plusSeconds(60));
    assertThat(last.before()).doesNotContain("environments");
    assertThat(last.after()).contains("\"environments\":{\"production\":{\"state\":\"DISABLED\"}}");
    assertThat(history.get(0).before()).isNull();
    assertThat(flags.history("banner")).hasSize(1);
    assertThat(flags.lastChanged("new-checkout")).hasValue(2);
    assertThat(flags.lastChanged("banner")).hasValue(1);
    assertThat(flags.versions(0, 10))
        .extracting(v -> v.action() + " by " + v.actor())
        .containsExactly("import by ci", "disable by ada");
  }

  @Test
  void askingForWhatAlreadyIsStoresNoVersion() {
    FlagService flags = start(store());
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    FlagCommit again = flags.setState("banner", FlagState.ENABLED, null, "ci", null);
    assertThat(again.changed()).isFalse();
    assertThat(again.version().version()).isEqualTo(1);
    assertThat(flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null).changed()).isFalse();
    assertThat(flags.versions(0, 10)).hasSize(1);
  }

  @Test
  void anInvalidChangeChangesNothing() {
    FlagService flags = start(store());
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    FlagSet before = flags.current().flags();

    assertThatThrownBy(() -> flags.setDefaultVariant("banner", "green", null, "ci", null))
        .isInstanceOf(InvalidFlagSetException.class)
        .hasMessageContaining(
            "flags.banner.defaultVariant: \"green\" (expected: one of the variants: red, blue)");
    assertThatThrownBy(
            () -> flags.setWeights("new-checkout", weights("on", 10, "maybe", 5), null, "ci", null))
        .isInstanceOf(InvalidFlagSetException.class)
        .hasMessageContaining("maybe");
    assertThatThrownBy(() -> flags.setState("nope", FlagState.ENABLED, null, "ci", null))
        .isInstanceOf(FlagEditException.class)
        .hasMessage("no flag named nope")
        .extracting(e -> ((FlagEditException) e).kind())
        .isEqualTo(FlagEditException.Kind.NOT_FOUND);
    assertThatThrownBy(() -> flags.setState("banner", FlagState.DISABLED, null, "ci", 7L))
        .isInstanceOf(FlagEditException.class)
        .hasMessageStartingWith("ifVersion: 7 (expected: the current version 1");

    assertThat(flags.current().version()).isEqualTo(1);
    assertThat(flags.current().flags()).isEqualTo(before);
    assertThat(flags.versions(0, 10)).hasSize(1);
    assertThat(flags.history("banner")).hasSize(1);
  }

  @Test
  void weightsReplaceTheOneRolloutAndKeepItsBucketingValue() throws Exception {
    FlagService flags = start(store());
    flags.importSet(
        FlagSet.parse(
            """
            {"flags": {"a": {
              "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
              "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "on",
                {"fractional": [{"var": "accountId"}, ["on", 5], ["off", 95]]}]}},
             "b": {"state": "ENABLED", "variants": {"on": true, "off": false},
                   "defaultVariant": "off"},
             "c": {"state": "ENABLED", "variants": {"on": true, "off": false},
                   "defaultVariant": "off",
                   "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", null]}}}}
            """),
        false,
        "ci",
        null);

    flags.setWeights("a", weights("on", 50, "off", 50), null, "ci", null);
    assertThat(targeting(flags, "a").toString())
        .isEqualTo(
            "{\"if\":[{\"ends_with\":[{\"var\":\"email\"},\"@example.com\"]},\"on\","
                + "{\"fractional\":[{\"var\":\"accountId\"},[\"on\",50],[\"off\",50]]}]}");

    flags.setWeights("b", weights("on", 10, "off", 90), "production", "ci", null);
    assertThat(flags.current().flags().flag("b").orElseThrow().config("production").targeting())
        .hasValueSatisfying(
            t -> assertThat(t.toString()).isEqualTo("{\"fractional\":[[\"on\",10],[\"off\",90]]}"));
    assertThat(flags.current().flags().flag("b").orElseThrow().config().targeting()).isEmpty();

    assertThatThrownBy(() -> flags.setWeights("c", weights("on", 1), null, "ci", null))
        .isInstanceOf(FlagEditException.class)
        .hasMessageStartingWith("flags.c.targeting has no percentage rollout");
    assertThatThrownBy(() -> flags.setWeights("b", weights("on", 0), null, "ci", null))
        .isInstanceOf(FlagEditException.class)
        .hasMessageContaining("at least one weight above 0");
  }

  private static JsonNode targeting(FlagService flags, String key) {
    return flags.current().flags().flag(key).orElseThrow().config().targeting().orElseThrow();
  }

  @Test
  void aMergedImportReplacesItsFlagsAndKeepsTheOthers() {
    FlagService flags = start(store());
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    FlagCommit merged =
        flags.importSet(
            FlagSet.parse(
                """
                {"flags": {"banner": {"state": "DISABLED", "variants": {"red": "#f00"},
                                      "defaultVariant": "red"},
                           "fresh": {"state": "ENABLED", "variants": {"x": 1}, "defaultVariant": "x"}}}
                """),
            true,
            "ci",
            null);
    assertThat(merged.changedKeys()).containsExactly("banner", "fresh");
    assertThat(flags.current().flags().flags().keySet())
        .containsExactly("banner", "fresh", "new-checkout");
    assertThat(flags.versions(1, 1).get(0).detail())
        .isEqualTo("merged 2 flags: banner, fresh; changed: banner, fresh");
  }

  @Test
  void aRestartServesTheLastStoredVersion() {
    Store store = store();
    FlagService flags = start(store);
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    flags.delete("banner", "ci", null);
    FlagSet last = flags.current().flags();
    flags.close();

    FlagService again = start(store);
    assertThat(again.current().version()).isEqualTo(2);
    assertThat(again.current().flags()).isEqualTo(last);
    assertThat(again.lastChanged("banner")).hasValue(2);
  }

  @Test
  void evaluationTimesAreKeptAndFlushedToTheStore() {
    Store store = store();
    FlagService flags = start(store);
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    flags.recordEvaluation("banner");
    flags.recordEvaluation("no-such-flag");
    assertThat(store.flagEvaluations()).isEmpty();
    assertThat(flags.lastEvaluated()).isEqualTo(Map.of("banner", T0));

    flags.flushEvaluations();
    assertThat(store.flagEvaluations()).isEqualTo(Map.of("banner", T0));
    clock.advance(Duration.ofHours(2));
    flags.recordEvaluations(List.of("banner", "new-checkout"));
    flags.close(); // flushes
    assertThat(store.flagEvaluations())
        .isEqualTo(Map.of("banner", T0.plusSeconds(7200), "new-checkout", T0.plusSeconds(7200)));
  }

  @Test
  void staleFlagsAreThoseExpiredUnusedOrServingOneValueForLong() {
    FlagService flags = start(store());
    flags.importSet(
        FlagSet.parse(
            """
            {"flags": {
              "expired": {"state": "ENABLED", "variants": {"on": true, "off": false},
                "defaultVariant": "off", "metadata": {"owner": "team-a", "expires": "2026-03-10"},
                "targeting": {"fractional": [["on", 50], ["off", 50]]}},
              "rollout": {"state": "ENABLED", "variants": {"on": true, "off": false},
                "defaultVariant": "off", "targeting": {"fractional": [["on", 50], ["off", 50]]}},
              "used": {"state": "ENABLED", "variants": {"on": true, "off": false},
                "defaultVariant": "off", "targeting": {"fractional": [["on", 50], ["off", 50]]}}
            }}
            """),
        false,
        "ci",
        null);
    clock.advance(Duration.ofDays(10));
    flags.setWeights("rollout", weights("on", 100, "off", 0), null, "ci", null);
    clock.advance(Duration.ofDays(25));
    flags.recordEvaluation("used");
    flags.recordEvaluation("rollout");

    List<StaleFlag> stale = flags.stale(Duration.ofDays(30), Duration.ofDays(20));
    assertThat(stale).extracting(StaleFlag::key).containsExactly("expired", "rollout");
    StaleFlag expired = stale.get(0);
    assertThat(expired.owner()).isEqualTo("team-a");
    assertThat(expired.reasons())
        .extracting(StaleFlag.Reason::detail)
        .containsExactly(
            "expired on 2026-03-10", "never evaluated since it was added on 2026-03-01");
    assertThat(stale.get(1).reasons())
        .extracting(StaleFlag.Reason::kind, StaleFlag.Reason::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                StaleFlag.Kind.UNIFORM, "serves on to everyone since 2026-03-11 (25 days)"));

    // a flag that serves one value in one environment only is not uniform
    flags.setWeights("rollout", weights("on", 1, "off", 1), "staging", "ci", null);
    assertThat(flags.stale(Duration.ofDays(30), Duration.ofDays(20)))
        .extracting(StaleFlag::key)
        .containsExactly("expired");
    clock.advance(Duration.ofDays(31));
    assertThat(flags.stale(Duration.ofDays(30), Duration.ofDays(20)))
        .extracting(StaleFlag::key)
        .containsExactly("expired", "rollout", "used");
  }

  @Test
  void theFlagFileIsLoadedAndReloadedWhenItChanges() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, CHECKOUT);
    FlagService flags = start(store());
    flags.watchFile(file);
    assertThat(flags.current().version()).isEqualTo(1);
    assertThat(flags.current().flags().flags()).containsKeys("banner", "new-checkout");
    assertThat(flags.versions(0, 1).get(0).actor()).isEqualTo(FlagService.FILE);
    assertThat(flags.fileStatus().error()).isNull();

    Files.writeString(
        file, CHECKOUT.replace("\"defaultVariant\": \"red\"", "\"defaultVariant\": \"blue\""));
    await().atMost(Duration.ofSeconds(5)).until(() -> flags.current().version() == 2);
    assertThat(flags.history("banner")).hasSize(2);

    Files.writeString(file, "{\"flags\": {\"x\": {\"state\": \"ON\"}}}");
    await().atMost(Duration.ofSeconds(5)).until(() -> flags.fileStatus().error() != null);
    assertThat(flags.fileStatus().error()).contains("flags.x.state: \"ON\"");
    assertThat(flags.current().version()).isEqualTo(2);
    assertThat(flags.current().flags().flags()).containsKeys("banner", "new-checkout");

    Files.delete(file);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "no such file".equals(flags.fileStatus().error()));
    assertThat(flags.current().version()).isEqualTo(2);
  }

  @Test
  void anUnchangedFileDoesNotUndoApiChangesAtStartUp() throws Exception {
    Path file = dir.resolve("flags.json");
    Files.writeString(file, CHECKOUT);
    Store store = store();
    FlagService flags = start(store);
    flags.watchFile(file);
    flags.setState("banner", FlagState.DISABLED, null, "ada", null);
    flags.close();

    FlagService again = start(store);
    again.watchFile(file);
    assertThat(again.current().version()).isEqualTo(2);
    assertThat(again.current().flags().flag("banner").orElseThrow().config().state())
        .isEqualTo(FlagState.DISABLED);
    assertThat(again.fileStatus().loadedVersion()).isEqualTo(1);
    again.close();

    Files.writeString(file, CHECKOUT.replace("#00f", "#00e"));
    FlagService third = start(store);
    third.watchFile(file);
    assertThat(third.current().version()).isEqualTo(3);
    assertThat(third.current().flags().flag("banner").orElseThrow().config().state())
        .isEqualTo(FlagState.ENABLED);
  }

  @Test
  void listenersHearEveryNewVersionWithItsChangedKeys() {
    FlagService flags = start(store());
    List<FlagSetUpdate> heard = new ArrayList<>();
    flags.subscribe(heard::add);
    flags.importSet(FlagSet.parse(CHECKOUT), false, "ci", null);
    flags.setState("banner", FlagState.ENABLED, null, "ci", null); // no change
    flags.delete("banner", "ci", null);
    assertThat(heard)
        .extracting(
            u -> u.previous().version() + "->" + u.current().version() + " " + u.changedKeys())
        .containsExactly("0->1 [banner, new-checkout]", "1->2 [banner]");
  }
}
