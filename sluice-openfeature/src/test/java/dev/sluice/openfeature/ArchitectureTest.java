package dev.sluice.openfeature;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** DESIGN.md: the provider depends on the flag engine only, never on the server. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice.openfeature");

  @Test
  void theProviderDependsOnNoSluiceModuleButTheEngine() {
    noClasses()
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.sluice..")
                .and(not(resideInAPackage("dev.sluice.flags..")))
                .and(not(resideInAPackage("dev.sluice.openfeature.."))))
        .check(CLASSES);
  }

  @Test
  void theEngineInternalsStayHidden() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.flags.internal..")
        .check(CLASSES);
  }

  @Test
  void thePublicFaceIsTheProviderAndItsBuilder() {
    classes()
        .that()
        .resideInAPackage("dev.sluice.openfeature")
        .and()
        .arePublic()
        .should()
        .haveSimpleNameStartingWith("SluiceProvider")
        .orShould()
        .haveSimpleName("Builder")
        .check(CLASSES);
  }
}
