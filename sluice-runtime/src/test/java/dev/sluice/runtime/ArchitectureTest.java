package dev.sluice.runtime;

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
          .importPackages("dev.sluice.runtime");

  @Test
  void theRuntimeDependsOnCoreTheJdkSlf4jAndJspecifyOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.sluice.runtime..", "dev.sluice.core..", "java..", "org.slf4j..", "org.jspecify..")
        .check(MAIN);
  }

  @Test
  void theStaticRuntimeAndTheSharedTypesKnowNothingOfProcesses() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.sluice.runtime", "dev.sluice.runtime.endpoints..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.runtime.process..")
        .check(MAIN);
  }

  @Test
  void internalDetailsAreUsedOnlyByTheirOwnFeature() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.sluice.runtime.process..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.runtime.process.internal..")
        .check(MAIN);
  }

  @Test
  void theSupervisorImplementationIsHiddenBehindItsInterface() {
    classes()
        .that()
        .haveSimpleName("LocalProcessSupervisor")
        .or()
        .haveSimpleName("ReplicaSlot")
        .should()
        .notBePublic()
        .andShould()
        .haveModifier(com.tngtech.archunit.core.domain.JavaModifier.FINAL)
        .check(MAIN);
  }
}
