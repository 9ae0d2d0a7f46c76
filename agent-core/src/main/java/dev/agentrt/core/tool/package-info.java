/**
 * The tool SPI and the one path every tool call takes. A {@link dev.agentrt.core.tool.Tool} has a spec (name,
 * description, JSON Schema of its arguments), says which capabilities a call needs and returns a {@link
 * dev.agentrt.core.tool.ToolResult}; the {@link dev.agentrt.core.tool.ToolRegistry} validates the arguments,
 * checks the capabilities against the grants of the {@link dev.agentrt.core.tool.ToolExecution} policy, and
 * invokes the tool with a timeout.
 *
 * <pre>{@code
 * Tool weather = Tool.builder("weather")
 *         .description("The weather in a city")
 *         .requires(Capability.custom("weather", "read"))
 *         .handler((args, ctx) -> Mono.just(ToolResult.text("sunny in " + args.getString("city").orElse("?"))))
 *         .build();
 * }</pre>
 *
 * <p>A failing call is an error result the model reads, never an exception. Implementations run
 * {@code ToolContract} from agent-core's test-jar. Registries and policies are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.tool;

import org.jspecify.annotations.NullMarked;
