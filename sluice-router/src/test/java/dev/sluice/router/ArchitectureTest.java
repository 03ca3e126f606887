package dev.sluice.router;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The router's module and package rules (DESIGN.md's module table, STYLE.md's layout). */
class ArchitectureTest {

  private static final JavaClasses ROUTER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sluice.router");

  @Test
  void theRouterDependsOnNoOtherSluiceModule() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.sluice.core..",
            "dev.sluice.flags..",
            "dev.sluice.store..",
            "dev.sluice.runtime..",
            "dev.sluice.server..",
            "dev.sluice.cli..",
            "dev.sluice.bench..")
        .check(ROUTER);
  }

  @Test
  void onlyTheRouterFactoryReachesIntoTheInternalPackage() {
    classes()
        .that()
        .resideOutsideOfPackage("dev.sluice.router.internal..")
        .and()
        .doNotHaveFullyQualifiedName(Router.class.getName())
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackage("dev.sluice.router.internal..")
        .check(ROUTER);
  }

  @Test
  void publicTypesDoNotExposeNetty() {
    classes()
        .that()
        .resideOutsideOfPackage("dev.sluice.router.internal..")
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackage("io.netty..")
        .check(ROUTER);
  }
}
