package dev.agentrt.inference;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-inference depends on agent-core and DJL (with its ONNX Runtime engine and tokenizers) only
 * (ARCHITECTURE.md, "Modules and what each may depend on"), and on no sibling module. Chat templates are
 * rendered by its own renderer (internal.jinja), not by a template library.
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = ModuleClasses.of(LocalChatModel.class);

    @Test
    void usesOnlyItsDeclaredLibraries() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..",
                        "dev.agentrt.core..", "dev.agentrt.inference..", "reactor.core..", "reactor.util..",
                        "org.reactivestreams..",
                        "org.slf4j..", "org.jspecify..",
                        "ai.djl..", "ai.onnxruntime..")
                .check(CLASSES);
    }

    @Test
    void dependsOnNoModuleBesideOrAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.tools..", "dev.agentrt.sandbox..", "dev.agentrt.memory..",
                        "dev.agentrt.runs..", "dev.agentrt.otel..", "dev.agentrt.examples..",
                        "dev.agentrt.benchmarks..")
                .check(CLASSES);
    }

    @Test
    void theHeavyLibrariesStayInInternalPackages() {
        noClasses().that()
                .resideOutsideOfPackage("dev.agentrt.inference..internal..")
                // Holds the DJL tokenizer it loads (private members; its public signatures are ours).
                .and()
                .doNotBelongToAnyOf(LocalChatModel.class)
                // Loads and runs the DJL predictor itself (private members; its public signatures are ours).
                .and()
                .doNotBelongToAnyOf(LocalEmbeddingModel.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("ai.djl..", "ai.onnxruntime..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        noClasses().should()
                .dependOnClassesThat(ModuleClasses.internalsNotExportedTo("dev.agentrt.inference"))
                .check(CLASSES);
    }

    /** The rules below check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CLASSES.contain(LocalChatModel.class)).isTrue();
        assertThat(CLASSES.size()).isGreaterThan(10);
    }
}
