/**
 * Built-in tools for agents: Java methods as tools ({@link dev.agentrt.tools.Tools#from(Object...)} binds
 * the {@code @ToolMethod} methods of an object, their parameters described by a JSON Schema of their types), the
 * file system ({@code fs}), the web ({@code web}) and the Model Context Protocol ({@code mcp}), each behind
 * the core's capability checks.
 *
 * <pre>{@code
 * Agent agent = Agent.builder()
 *         .model(model)
 *         .tools(Tools.from(new WeatherTools()))
 *         .tools(FileSystemTools.rootedAt(project))
 *         .grant(Capability.fileRead(project))
 *         .build();
 * }</pre>
 *
 * <p>Tools are immutable and thread-safe; blocking methods run on {@code AgentSchedulers.blocking()}.
 */
@NullMarked
package dev.agentrt.tools;

import org.jspecify.annotations.NullMarked;
