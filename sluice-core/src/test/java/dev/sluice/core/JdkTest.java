package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdkTest {
  @Test
  void runsOnJava21OrNewer() {
    record R(int a) {}
    assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(21);
    assertThat(new R(1).a()).isEqualTo(1);
  }
}
