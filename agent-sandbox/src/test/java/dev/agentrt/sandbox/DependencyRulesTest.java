package dev.agentrt.sandbox;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-sandbox depends on agent-core and its WebAssembly stack only (ARCHITECTURE.md, "Modules and what each
 * may depend on"): Endive, quickjs4j and ZeroFs (CPython for WASI is loaded reflectively), and those only
 * behind the internal packages.
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = ModuleClasses.of(Sandbox.class);

    @Test
    void usesOnlyItsDeclaredLibraries() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..",
                        "dev.agentrt.core..", "dev.agentrt.sandbox..", "reactor.core..", "reactor.util..",
                        "org.reactivestreams..",
                        "org.slf4j..", "org.jspecify..",
                        "run.endive..", "io.roastedroot..")
                .check(CLASSES);
    }

    @Test
    void dependsOnNoModuleBesideOrAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.tools..", "dev.agentrt.inference..", "dev.agentrt.memory..",
                        "dev.agentrt.runs..", "dev.agentrt.otel..", "dev.agentrt.examples..",
                        "dev.agentrt.benchmarks..")
                .check(CLASSES);
    }

    @Test
    void theHeavyLibrariesStayInInternalPackages() {
        noClasses().that()
                .resideOutsideOfPackage("dev.agentrt.sandbox..internal..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("run.endive..", "io.roastedroot..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        // Mounts and the JavaScript host files go through the confinement layer (fs); the plugins' http_get through
        // the egress engine (net).
        noClasses().should()
                .dependOnClassesThat(ModuleClasses.internalsNotExportedTo("dev.agentrt.sandbox",
                        "dev.agentrt.core.internal.fs", "dev.agentrt.core.internal.net"))
                .check(CLASSES);
    }

    /** The rules below check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CLASSES.contain(Sandbox.class)).isTrue();
        assertThat(CLASSES.size()).isGreaterThan(10);
    }
}
