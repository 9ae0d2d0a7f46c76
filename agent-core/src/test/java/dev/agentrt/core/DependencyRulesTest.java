package dev.agentrt.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-core depends on nothing heavy and on no module above it (ARCHITECTURE.md, "Modules and what each
 * may depend on"): only the JDK, Reactor, Jackson, the SLF4J API and JSpecify's annotations, with Jackson
 * kept to the JSON packages.
 */
class DependencyRulesTest {
    private static final JavaClasses CORE = ModuleClasses.of(Agent.class);

    @Test
    void coreUsesOnlyTheJdkReactorJacksonSlf4jAndJspecify() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..", "jdk.internal..",
                        "dev.agentrt.core..", "reactor.core..", "reactor.util..", "reactor.adapter..",
                        "org.reactivestreams..",
                        "tools.jackson..", "com.fasterxml.jackson.annotation..", "org.slf4j..", "org.jspecify..")
                .check(CORE);
    }

    @Test
    void jacksonStaysInTheJsonAndInternalPackages() {
        noClasses().that()
                .resideOutsideOfPackages("dev.agentrt.core.json..", "dev.agentrt.core.internal..")
                // Reads a model's reply into the caller's record type with Jackson's data binding.
                .and()
                .doNotBelongToAnyOf(StructuredOutput.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("tools.jackson..", "com.fasterxml.jackson..")
                .check(CORE);
    }

    @Test
    void coreDependsOnNoModuleAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.tools..",
                        "dev.agentrt.sandbox..", "dev.agentrt.inference..", "dev.agentrt.memory..",
                        "dev.agentrt.runs..",
                        "dev.agentrt.otel..", "dev.agentrt.examples..", "dev.agentrt.benchmarks..")
                .check(CORE);
    }

    /** The rules above check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CORE.contain(Agent.class)).isTrue();
        assertThat(CORE.size()).isGreaterThan(10);
    }
}
