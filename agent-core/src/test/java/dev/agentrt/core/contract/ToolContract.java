package dev.agentrt.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/**
 * The contract every {@link Tool} keeps. Shipped in agent-core's test-jar: an implementation's test
 * extends this class with a tool, arguments for a call that succeeds under {@link #grants()}, and
 * (optionally) arguments that must be refused without them.
 */
public abstract class ToolContract {
    protected abstract Tool tool();

    /** Arguments of a call that succeeds under {@link #grants()}. */
    protected abstract JsonObject validArguments();

    /** What the successful call needs. */
    protected Grants grants() {
        return Grants.none();
    }

    private ToolResult execute(JsonObject args, Grants grants) {
        return ToolRegistry.of(tool())
                .execute(new ToolCall("contract-1", tool().spec().name(), args.toJson()),
                        ToolExecution.of("contract", Principal.ANONYMOUS, grants))
                .block(Duration.ofSeconds(30));
    }

    @Test
    void theSpecIsAValidObjectSchema() {
        JsonSchema schema = JsonSchema.compile(tool().spec().parameters());
        assertThat(schema.isValid(validArguments())).as("valid arguments satisfy the schema: %s",
                schema.validate(validArguments())).isTrue();
        assertThat(tool().spec().parameters().getString("type")).contains("object");
        assertThat(tool().spec().description()).isNotBlank();
    }

    @Test
    void aValidCallSucceedsUnderItsGrants() {
        ToolResult r = execute(validArguments(), grants());
        assertThat(r.isError()).as("result: %s", r.content()).isFalse();
    }

    @Test
    void theCapabilitiesOfACallAreCoveredByTheGrantsAndRefusedWithoutThem() {
        var required = tool().requiredCapabilities(validArguments());
        assertThat(grants().missing(required)).isEmpty();
        if (!required.isEmpty()) {
            ToolResult r = execute(validArguments(), Grants.none());
            assertThat(r.errorKind()).isEqualTo(dev.agentrt.core.tool.ToolErrorKind.PERMISSION_DENIED);
        }
    }
}
