package dev.agentrt.otel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-otel depends on agent-core and the OpenTelemetry API, never on the SDK (ARCHITECTURE.md, "Modules and what
 * each may depend on").
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = ModuleClasses.of(AgentTelemetry.class);

    @Test
    void usesOnlyItsDeclaredLibraries() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "dev.agentrt.core..", "dev.agentrt.otel..", "org.slf4j..",
                        "org.jspecify..", "io.opentelemetry.api..", "io.opentelemetry.context..")
                .check(CLASSES);
    }

    @Test
    void neverUsesTheSdk() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.opentelemetry.sdk..").check(CLASSES);
    }

    @Test
    void dependsOnNoModuleBesideOrAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.tools..", "dev.agentrt.sandbox..", "dev.agentrt.inference..",
                        "dev.agentrt.memory..", "dev.agentrt.runs..", "dev.agentrt.examples..",
                        "dev.agentrt.benchmarks..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        noClasses().should()
                .dependOnClassesThat(ModuleClasses.internalsNotExportedTo("dev.agentrt.otel"))
                .check(CLASSES);
    }

    /** The rules above check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CLASSES.contain(AgentTelemetry.class)).isTrue();
        assertThat(CLASSES.size()).isGreaterThan(3);
    }
}
