package dev.sluice.flags.internal.flagd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and SemVer 2.0.0 precedence, as Go's x/mod/semver (used by flagd) defines them. */
class SemanticVersionTest {
  @ParameterizedTest(name = "{0} is valid: {1}")
  @CsvSource({
    "1.2.3, true",
    "v1.2.3, true",
    "V1.2.3, true",
    "1, true",
    "1.2, true",
    "1.2.3-rc.1+build.5, true",
    "1.2.3+build, true",
    "01.2.3, false",
    "1.2.3.4, false",
    "1.2-rc, false",
    "1.2.3-, false",
    "1.2.3-01, false",
    "1.2.3+, false",
    "'', false",
    "vv1.2.3, false",
    "1.2.x, false"
  })
  void parsesLikeFlagd(String text, boolean valid) {
    assertThat(SemanticVersion.parse(text) != null).isEqualTo(valid);
  }

  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
    "1.0.0-alpha, 1.0.0-alpha.1",
    "1.0.0-alpha.1, 1.0.0-alpha.beta",
    "1.0.0-alpha.beta, 1.0.0-beta",
    "1.0.0-beta, 1.0.0-beta.2",
    "1.0.0-beta.2, 1.0.0-beta.11",
    "1.0.0-beta.11, 1.0.0-rc.1",
    "1.0.0-rc.1, 1.0.0",
    "1.9.0, 1.10.0",
    "9.0.0, 10.0.0",
    "1, 1.0.1"
  })
  void ordersByPrecedence(String lower, String higher) {
    SemanticVersion a = SemanticVersion.parse(lower);
    SemanticVersion b = SemanticVersion.parse(higher);
    assertThat(a.compareTo(b)).isNegative();
    assertThat(b.compareTo(a)).isPositive();
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"1.0.0+a, 1.0.0+b", "v2, 2.0.0", "1.2, 1.2.0"})
  void ignoresBuildMetadataAndExpandsShorthands(String a, String b) {
    assertThat(SemanticVersion.parse(a).compareTo(SemanticVersion.parse(b))).isZero();
  }
}
