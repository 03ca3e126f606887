package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Serialization back to flagd JSON, the content hash / ETag, and change detection. */
class SerializationTest {
  private static final String DOC =
      """
      {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "metadata": {"flagSetId": "shop"},
        "flags": {
          "new-checkout": {
            "state": "ENABLED",
            "description": "the new checkout flow",
            "variants": {"on": true, "off": false},
            "defaultVariant": "off",
            "targeting": {"if": [{"$ref": "beta-users"}, "on", {"fractional": [["on", 10], ["off", 90]]}]},
            "metadata": {"owner": "team-checkout", "expires": "2026-12-31"},
            "environments": {"staging": {"defaultVariant": "on"}}
          },
          "limits": {"state": "DISABLED", "variants": {"small": {"max": 1.5}}, "defaultVariant": "small"}
        },
        "$evaluators": {"beta-users": {"in": [{"var": "targetingKey"}, ["u1", "u2"]]}}
      }
      """;

  @Test
  void serializationRoundTrips() {
    FlagSet set = FlagSet.parse(DOC);
    FlagSet again = FlagSet.parse(set.toJson());
    assertThat(again).isEqualTo(set);
    assertThat(again.toJson()).isEqualTo(set.toJson());
    assertThat(again.etag()).isEqualTo(set.etag());
    assertThat(again.flag("new-checkout").orElseThrow().owner()).contains("team-checkout");
  }

  @Test
  void theEtagIgnoresFormattingAndKeyOrder() {
    String reordered =
        """
        {"$evaluators": {"beta-users": {"in": [{"var": "targetingKey"}, ["u1", "u2"]]}},
         "flags": {"limits": {"variants": {"small": {"max": 1.50}}, "state": "DISABLED", "defaultVariant": "small"},
                   "new-checkout": {"variants": {"on": true, "off": false}, "state": "ENABLED",
                     "environments": {"staging": {"defaultVariant": "on"}},
                     "metadata": {"expires": "2026-12-31", "owner": "team-checkout"},
                     "defaultVariant": "off", "description": "the new checkout flow",
                     "targeting": {"if": [{"$ref": "beta-users"}, "on", {"fractional": [["on", 10.0], ["off", 90]]}]}}},
         "metadata": {"flagSetId": "shop"}, "$schema": "https://flagd.dev/schema/v0/flags.json"}
        """;
    assertThat(FlagSet.parse(reordered).etag()).isEqualTo(FlagSet.parse(DOC).etag());
    assertThat(FlagSet.parse(reordered)).isEqualTo(FlagSet.parse(DOC));
  }

  @Test
  void theEtagChangesWithAnyContentChange() {
    String etag = FlagSet.parse(DOC).etag();
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    assertThat(
            FlagSet.parse(DOC.replace("[\"on\", 10], [\"off\", 90]", "[\"on\", 11], [\"off\", 89]"))
                .etag())
        .isNotEqualTo(etag);
    assertThat(FlagSet.parse(DOC.replace("\"u2\"", "\"u3\"")).etag()).isNotEqualTo(etag);
    assertThat(FlagSet.parse(DOC.replace("the new checkout flow", "the new checkout")).etag())
        .isNotEqualTo(etag);
    assertThat(
            FlagSet.parse(DOC.replace("\"flagSetId\": \"shop\"", "\"flagSetId\": \"shop2\""))
                .etag())
        .isNotEqualTo(etag);
  }

  @Test
  void changedKeysFollowFlagsAndTheSharedRulesTheyUse() {
    FlagSet before = FlagSet.parse(DOC);
    assertThat(FlagSet.parse(DOC).changedKeys(before)).isEmpty();
    assertThat(FlagSet.parse(DOC.replace("\"u2\"", "\"u3\"")).changedKeys(before))
        .containsExactly("new-checkout");
    assertThat(FlagSet.parse(DOC.replace("1.5", "2")).changedKeys(before))
        .containsExactly("limits");
    assertThat(FlagSet.empty().changedKeys(before)).containsExactly("limits", "new-checkout");
  }

  @Test
  void flagsExposeTheirLifecycleMetadata() {
    Flag flag = FlagSet.parse(DOC).flag("new-checkout").orElseThrow();
    assertThat(flag.owner()).contains("team-checkout");
    assertThat(flag.expires()).contains(java.time.LocalDate.of(2026, 12, 31));
    assertThat(flag.isExpired(java.time.LocalDate.of(2027, 1, 1))).isTrue();
    assertThat(flag.isExpired(java.time.LocalDate.of(2026, 12, 31))).isFalse();
    assertThat(FlagSet.parse(DOC).flag("limits").orElseThrow().owner()).isEmpty();
  }
}
