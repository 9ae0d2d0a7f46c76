package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WasmToolContractTest extends ToolContract {
    static PluginServer server;
    static WasmTool tool;

    @BeforeAll
    static void start() {
        server = new PluginServer();
        tool = WasmToolTest.plugin();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected Tool tool() {
        return tool;
    }

    @Override
    protected JsonObject validArguments() {
        return JsonObject.builder().put("url", server.url("/ping")).build();
    }

    @Override
    protected Grants grants() {
        return Grants.of(Capability.net("127.0.0.1"));
    }

    @Test
    void theToolDoesNotBlockItsCaller() {
        assertThat(tool.blocking()).isFalse();
        assertThat(tool.manifest().hosts()).containsExactly("127.0.0.1");
    }
}
