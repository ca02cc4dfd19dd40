package dev.fulcrum.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md, checked on the compiled classes: a package imports only packages of
 * its own layer or below, no two packages import each other (directly or round a cycle), and the
 * data plane depends on nothing that talks to a database.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.fulcrum");
  }

  @Test
  void layersOnlyLookDown() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("entry").definedBy("dev.fulcrum.cli..", "dev.fulcrum.server..")
        .layer("control").definedBy("dev.fulcrum.admin..", "dev.fulcrum.runtimeapi..")
        .layer("sources").definedBy("dev.fulcrum.haproxy..", "dev.fulcrum.cluster..", "dev.fulcrum.store..")
        .layer("data plane").definedBy(
            "dev.fulcrum.proxy..", "dev.fulcrum.plugin..", "dev.fulcrum.runtime..", "dev.fulcrum.router..",
            "dev.fulcrum.upstream..")
        .layer("leaves").definedBy(
            "dev.fulcrum.metrics..", "dev.fulcrum.net..", "dev.fulcrum.model..", "dev.fulcrum.conf..")
        .whereLayer("entry").mayNotBeAccessedByAnyLayer()
        .whereLayer("control").mayOnlyBeAccessedByLayers("entry")
        .whereLayer("sources").mayOnlyBeAccessedByLayers("entry", "control")
        .whereLayer("data plane").mayOnlyBeAccessedByLayers("entry", "control", "sources")
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.fulcrum.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theDataPlaneTalksToNoDatabase() {
    noClasses()
        .that().resideInAnyPackage(
            "dev.fulcrum.proxy..", "dev.fulcrum.plugin..", "dev.fulcrum.runtime..", "dev.fulcrum.router..",
            "dev.fulcrum.upstream..", "dev.fulcrum.net..", "dev.fulcrum.metrics..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.fulcrum.store..", "dev.fulcrum.cluster..", "java.sql..", "javax.sql..", "org.sqlite..",
            "org.postgresql..", "com.zaxxer..")
        .check(classes);
  }
}
