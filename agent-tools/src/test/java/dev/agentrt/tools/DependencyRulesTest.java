package dev.agentrt.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.agentrt.core.testing.ModuleClasses;
import org.junit.jupiter.api.Test;

/**
 * agent-tools depends on agent-core and its own libraries only (ARCHITECTURE.md, "Modules and what each may
 * depend on"): jsoup, JGit, the MCP SDK and the JDK's HTTP server, and those only behind the internal packages
 * (the MCP SDK also in {@code McpTools}). JSON Schemas and argument binding come from the core's one path, not a library here.
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
                        // Jackson only to write a method's result with the core's one mapper.
                        "tools.jackson..", "com.fasterxml.jackson..", "io.modelcontextprotocol..", "org.jsoup..",
                        "org.eclipse.jgit..",
                        // The MCP server's HTTP transport: the JDK's own server (module jdk.httpserver).
                        "com.sun.net.httpserver..")
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
                .resideInAnyPackage("org.jsoup..", "io.modelcontextprotocol..", "com.sun.net.httpserver..",
                        "org.eclipse.jgit..")
                .check(CLASSES);
    }

    @Test
    void usesNoOtherModulesInternalsBeyondThoseExportedToIt() {
        // The file tools open files through the confinement layer (fs), the web tools send
        // through the egress engine (net), MCP's HTTP transport shares the JDK HTTP client (http), and
        // @ToolMethod binding uses the one type -> schema -> binding path (binding).
        noClasses().should()
                .dependOnClassesThat(
                        ModuleClasses.internalsNotExportedTo("dev.agentrt.tools", "dev.agentrt.core.internal.fs",
                                "dev.agentrt.core.internal.net", "dev.agentrt.core.internal.http",
                                "dev.agentrt.core.internal.binding"))
                .check(CLASSES);
    }

    /** The rules below check real classes: an empty import would let every rule pass unseen. */
    @Test
    void theRulesSeeThisModulesOwnClasses() {
        assertThat(CLASSES.contain(Tools.class)).isTrue();
        assertThat(CLASSES.size()).isGreaterThan(10);
    }
}
