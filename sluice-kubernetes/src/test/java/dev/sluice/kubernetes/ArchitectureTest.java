package dev.sluice.kubernetes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps DESIGN.md's rules for this module true. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice.kubernetes");

  @Test
  void theModuleDependsOnCoreRuntimeAndTheKubernetesClientOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.sluice.kubernetes..",
            "dev.sluice.core..",
            "dev.sluice.runtime..",
            "io.fabric8.kubernetes..",
            "java..",
            "org.slf4j..",
            "org.jspecify..")
        .check(MAIN);
  }

  @Test
  void thePlatformsDetailsStayInItsInternalPackage() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.sluice.kubernetes.lease..", "dev.sluice.kubernetes.release..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.kubernetes.internal..")
        .check(MAIN);
  }

  @Test
  void theTrafficRoutersAreHiddenBehindTheirInterface() {
    classes()
        .that()
        .haveSimpleNameEndingWith("Router")
        .and()
        .doNotHaveSimpleName("TrafficRouter")
        .should()
        .notBePublic()
        .check(MAIN);
  }
}
