package dev.agentrt.tools.mcp;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;

/** The core {@link Tool} contract, kept by an MCP server's tool (server-everything's echo). */
class McpClientToolContractTest extends ToolContract {
    private static McpTools everything;

    @BeforeAll
    static void connect() {
        everything = McpTools.builder("everything", TestServers.everything())
                .allowTools("echo")
                .connect()
                .block(Duration.ofSeconds(60));
    }

    @AfterAll
    static void close() {
        if (everything != null) {
            everything.close();
        }
    }

    @Override
    protected Tool tool() {
        return everything.tools().getFirst();
    }

    @Override
    protected JsonObject validArguments() {
        return JsonObject.builder().put("message", "contract").build();
    }

    @Override
    protected Grants grants() {
        return Grants.of(everything.capability());
    }

    @org.junit.jupiter.api.Test
    void theToolUnderContractIsTheServersEcho() {
        org.assertj.core.api.Assertions.assertThat(tool().spec().name()).isEqualTo("echo");
        org.assertj.core.api.Assertions.assertThat(everything.tools()).hasSize(1);
    }
}
