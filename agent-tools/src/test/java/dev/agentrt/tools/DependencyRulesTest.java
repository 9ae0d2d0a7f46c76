package dev.agentrt.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-tools depends on agent-core and its own libraries only (ARCHITECTURE.md, "Modules and what each may
 * depend on"): jsoup, the MCP SDK and victools (with the Jackson it needs), and those only behind the
 * internal packages.
 */
class DependencyRulesTest {
    private static final JavaClasses CLASSES = ModuleClasses.of(Tools.class);

    @Test
    void usesOnlyItsDeclaredLibraries() {
        noClasses().should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("java..", "javax..",
                        "dev.agentrt.core..", "dev.agentrt.tools..", "reactor.core..", "reactor.util..",
                        "org.reactivestreams..",
                        "org.slf4j..", "org.jspecify..",
                        "tools.jackson..", "com.fasterxml.jackson..", "com.fasterxml.classmate..",
                        "com.github.victools..", "io.modelcontextprotocol..", "org.jsoup..")
                .check(CLASSES);
    }

    @Test
    void dependsOnNoModuleBesideOrAboveIt() {
        noClasses().should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.agentrt.sandbox..", "dev.agentrt.inference..", "dev.agentrt.memory..",
                        "dev.agentrt.runs..", "dev.agentrt.otel..", "dev.agentrt.examples..",
                        "dev.agentrt.benchmarks..")
                .check(CLASSES);
    }

    @Test
    void theHeavyLibrariesStayInInternalPackages() {
        noClasses().that()
                .resideOutsideOfPackage("dev.agentrt.tools..internal..")
                // Adapts the SDK's tool descriptions and call results (private members; its public signatures are ours).
                .and()
                .doNotBelongToAnyOf(dev.agentrt.tools.mcp.McpTools.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.jsoup..", "io.modelcontextprotocol..", "com.github.victools..",
                        "com.fasterxml.classmate..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        // The file tools open files through the confinement layer (fs), the web tools send
        // through the egress engine (net), and MCP's HTTP transport shares the JDK HTTP client (http).
        noClasses().should()
                .dependOnClassesThat(
                        ModuleClasses.internalsNotExportedTo("dev.agentrt.tools", "dev.agentrt.core.internal.fs",
                                "dev.agentrt.core.internal.net", "dev.agentrt.core.internal.http"))
                .check(CLASSES);
    }
}
