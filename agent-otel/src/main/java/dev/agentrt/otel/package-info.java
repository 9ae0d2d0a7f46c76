/**
 * OpenTelemetry for agentrt: {@link dev.agentrt.otel.AgentTelemetry} turns an agent's events into the spans and
 * metrics of the OpenTelemetry GenAI semantic conventions ({@code invoke_agent}, {@code chat},
 * {@code execute_tool}; {@code gen_ai.client.token.usage}, {@code gen_ai.client.operation.duration}...), under
 * the span that is current where the task is started.
 *
 * <pre>{@code
 * AgentTelemetry telemetry = AgentTelemetry.create(openTelemetry);
 * Agent agent = telemetry.instrument(Agent.builder().model(model).tools(search).build(), "researcher");
 * }</pre>
 *
 * <p>Depends on the OpenTelemetry API only: the application brings the SDK and its exporters.
 */
@NullMarked
package dev.agentrt.otel;

import org.jspecify.annotations.NullMarked;
