/**
 * The agent: {@link dev.agentrt.core.Agent} and its builder, a {@link dev.agentrt.core.Task} it runs (as a
 * {@code Mono<AgentResult>} or a {@code Flux<AgentEvent>}), the events and results of a run, and the one
 * exception hierarchy under {@link dev.agentrt.core.AgentException}.
 *
 * <pre>{@code
 * Agent agent = Agent.builder()
 *         .model(OpenAiChatModel.builder().model("gpt-4.1-mini").build())
 *         .instructions("You are a careful software engineer.")
 *         .tools(readFile)
 *         .grant(Capability.fileRead(project))
 *         .build();
 * AgentResult result = agent.task("List the bugs in Main.java").execute().block();
 * }</pre>
 *
 * <p>Everything asynchronous returns {@code Mono} or {@code Flux}; {@code executeBlocking()} is for programs
 * and examples. Agents are immutable and thread-safe; one agent runs any number of tasks at once.
 */
@NullMarked
package dev.agentrt.core;

import org.jspecify.annotations.NullMarked;
