package dev.agentrt.core.tool;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A {@link Tool} made of functions by {@link Tool.Builder}. */
record FunctionTool(ToolSpec spec, Function<JsonObject, List<Capability>> requires,
        BiFunction<JsonObject, ToolContext, Mono<ToolResult>> handler, boolean blocking, boolean idempotent)
        implements
            Tool {
    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return requires.apply(arguments);
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return handler.apply(arguments, context);
    }
}
