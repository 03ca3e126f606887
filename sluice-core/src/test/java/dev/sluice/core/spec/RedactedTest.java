package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactedTest {

  @Test
  void aUrlLosesItsQueryUserInfoAndFragmentButKeepsHostAndPath() {
    assertThat(Redacted.url("https://bot:pw@hooks.example:8443/approve/shop?key=s3cr3t#x"))
        .isEqualTo("https://hooks.example:8443/approve/shop?...");
    assertThat(Redacted.url("http://127.0.0.1:9000/stats"))
        .isEqualTo("http://127.0.0.1:9000/stats");
    assertThat(Redacted.url("http://user@host")).isEqualTo("http://host");
  }

  @Test
  void textThatIsNoUrlIsStillCutAndNeverThrows() {
    assertThat(Redacted.url("not a url ?key=1")).isEqualTo("not a url ?...");
    assertThat(Redacted.url("http://a b@c/d e?f")).isEqualTo("http://c/d e?...");
    assertThat(Redacted.url("")).isEmpty();
    assertThat(Redacted.url("@")).isEqualTo("");
  }

  @Test
  void aGateStepDescribesItselfWithoutItsKey() {
    StrategySpec.CanaryStep.Gate g =
        new StrategySpec.CanaryStep.Gate(
            "http://ci.example/approve?token=abc",
            java.time.Duration.ofSeconds(5),
            java.time.Duration.ofHours(1));
    assertThat(g.describe()).isEqualTo("gate http://ci.example/approve?...").doesNotContain("abc");
  }
}
