/**
 * Built-in tools for agents: Java methods as tools ({@code @ToolMethod}, {@code Tools.from}), the file
 * system ({@code fs}), the web ({@code web}) and the Model Context Protocol ({@code mcp}), each
 * behind the core's capability checks.
 */
@NullMarked
package dev.agentrt.tools;

import org.jspecify.annotations.NullMarked;
