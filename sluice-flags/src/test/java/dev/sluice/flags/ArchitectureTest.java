package dev.sluice.flags;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module's layering (DESIGN.md: sluice-flags depends on no other Sluice module). */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice.flags");

  @Test
  void theEngineDependsOnNoOtherSluiceModule() {
    noClasses()
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.sluice..").and(not(resideInAPackage("dev.sluice.flags.."))))
        .check(CLASSES);
  }

  @Test
  void jsonLogicKnowsNothingOfFlagsOrFlagdOperations() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.flags.internal.logic..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.sluice.flags.internal", "dev.sluice.flags.internal.flagd..")
        .check(CLASSES);
  }

  @Test
  void flagdOperationsBuildOnlyOnJsonLogic() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.flags.internal.flagd..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.flags.internal")
        .check(CLASSES);
  }

  @Test
  void noNetworkCodeInTheEngine() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net..", "java.nio.channels..", "javax.net..", "io.netty..")
        .check(CLASSES);
  }
}
