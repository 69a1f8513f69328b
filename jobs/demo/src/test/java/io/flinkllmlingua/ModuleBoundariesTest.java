package io.flinkllmlingua;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module boundaries, on the main classes of every module (this module's test classpath holds them all): what a
 * library user or a cluster receives (engine, flink, models, jobs) never depends on the test kit, the benchmarks or
 * the demo; the engine has no Flink; and an {@code internal} package is used only inside the package tree that owns
 * it, so no module reaches into another's implementation.
 */
class ModuleBoundariesTest {
    private static final String ROOT = "io.flinkllmlingua";
    /** Package trees owning an {@code internal} package. */
    private static final List<String> OWNERS = List.of("engine", "flink", "flink.table", "models", "jobs.backfill",
            "training");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void everyModuleIsImported() {
        for (String pkg : List.of("engine", "engine.internal", "models", "flink", "flink.internal", "flink.table",
                "jobs.streaming", "jobs.backfill", "jobs.cli", "testkit.kafka", "bench", "demo", "training",
                "training.internal", "training.eval", "training.teacher", "training.demo")) {
            assertTrue(classes.containPackage(ROOT + "." + pkg), "no classes of " + ROOT + "." + pkg + " imported");
        }
    }

    @Test
    void engineHasNoFlinkAndNoOtherModule() {
        ArchRule rule = noClasses().that().resideInAPackage(ROOT + ".engine..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", ROOT + ".flink..",
                        ROOT + ".models..", ROOT + ".jobs..", ROOT + ".testkit..", ROOT + ".bench..", ROOT + ".demo..");
        rule.check(classes);
    }

    @Test
    void modelToolsHaveNoFlink() {
        noClasses().that().resideInAPackage(ROOT + ".models..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", ROOT + ".flink..",
                        ROOT + ".jobs..", ROOT + ".testkit..", ROOT + ".bench..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void trainingHasNoFlinkAndTheModelToolsDoNotNeedIt() {
        noClasses().that().resideInAPackage(ROOT + ".training..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", ROOT + ".flink..",
                        ROOT + ".jobs..", ROOT + ".testkit..", ROOT + ".bench..", ROOT + ".demo..")
                .check(classes);
        noClasses().that().resideInAnyPackage(ROOT + ".engine..", ROOT + ".models..", ROOT + ".flink..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".training..")
                .check(classes);
    }

    @Test
    void operatorDependsOnTheEngineOnly() {
        noClasses().that().resideInAPackage(ROOT + ".flink..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".models..", ROOT + ".jobs..",
                        ROOT + ".testkit..", ROOT + ".bench..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void whatShipsNeverUsesTheTestKitTheBenchmarksOrTheDemo() {
        noClasses().that().resideInAnyPackage(ROOT + ".engine..", ROOT + ".flink..", ROOT + ".models..",
                        ROOT + ".jobs..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".testkit..", ROOT + ".bench..",
                        ROOT + ".demo..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".testkit..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".bench..", ROOT + ".demo..")
                .check(classes);
    }

    @Test
    void internalPackagesAreUsedOnlyByTheirOwners() {
        for (String owner : OWNERS) {
            String internal = ROOT + "." + owner + ".internal..";
            classes().that().resideInAPackage(internal)
                    .should().onlyBeAccessed().byClassesThat().resideInAPackage(ROOT + "." + owner + "..")
                    .because(internal + " is the implementation of " + ROOT + "." + owner)
                    .check(classes);
        }
    }
}
