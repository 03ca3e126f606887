package dev.sluice.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessTemplateTest {

  @Test
  void versionIsSubstitutedInEveryElementOfTheCommand() {
    ProcessTemplate t =
        ProcessTemplate.of("java", "-jar", "releases/shop-${version}.jar", "--tag=${version}");

    assertThat(t.commandFor("v2"))
        .containsExactly("java", "-jar", "releases/shop-v2.jar", "--tag=v2");
    assertThat(t.stopGrace()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void variablesTheSupervisorSetsCannotBeOverridden() {
    assertThatThrownBy(() -> ProcessTemplate.of("app").withEnv(Map.of("PORT", "80")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("env.PORT: set by the supervisor");
  }

  @Test
  void anEmptyCommandOrANegativeGraceIsRefused() {
    assertThatThrownBy(() -> ProcessTemplate.of(List.of()))
        .hasMessage("command: [] (expected: a program and its arguments)");
    assertThatThrownBy(() -> ProcessTemplate.of("app").withStopGrace(Duration.ofSeconds(-1)))
        .hasMessage("stopGrace: PT-1S (expected: zero or more)");
  }
}
