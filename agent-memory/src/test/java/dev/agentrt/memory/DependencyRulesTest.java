package dev.agentrt.memory;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-memory depends on agent-core, Lucene and (optionally) PostgreSQL JDBC with HikariCP, and on
 * agent-inference only for the bundled default embedding model (ARCHITECTURE.md, "Modules and what each may
 * depend on").
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = ModuleClasses.of(VectorMemory.class);

    @Test
    void usesOnlyItsDeclaredLibraries() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..",
                        "dev.agentrt.core..", "dev.agentrt.memory..", "reactor.core..", "reactor.util..",
                        "org.reactivestreams..",
                        "org.slf4j..", "org.jspecify..", "dev.agentrt.inference..",
                        "org.apache.lucene..", "com.zaxxer.hikari..", "org.postgresql..")
                .check(CLASSES);
    }

    @Test
    void dependsOnNoModuleBesideOrAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.tools..", "dev.agentrt.sandbox..", "dev.agentrt.runs..",
                        "dev.agentrt.otel..", "dev.agentrt.examples..", "dev.agentrt.benchmarks..")
                .check(CLASSES);
    }

    @Test
    void theHeavyLibrariesStayInInternalPackages() {
        noClasses().that()
                .resideOutsideOfPackage("dev.agentrt.memory..internal..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.lucene..", "com.zaxxer.hikari..", "org.postgresql..")
                .check(CLASSES);
    }

    @Test
    void onlyTheDefaultModelLookupReachesIntoInferenceForTheBundledEmbeddingModel() {
        noClasses().that()
                .doNotBelongToAnyOf(DefaultEmbeddingModel.class)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.agentrt.inference..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        noClasses().should()
                .dependOnClassesThat(ModuleClasses.internalsNotExportedTo("dev.agentrt.memory"))
                .check(CLASSES);
    }

    /** The rules below check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CLASSES.contain(VectorMemory.class)).isTrue();
        assertThat(CLASSES.size()).isGreaterThan(10);
    }
}
