/**
 * The Model Context Protocol bridges, built on the official MCP Java SDK. {@link
 * dev.agentrt.tools.mcp.McpTools} connects to an MCP server (a subprocess over stdio, or streamable
 * HTTP) and offers its tools to an agent under the agent's capability policy; {@link
 * dev.agentrt.tools.mcp.McpServer} serves an agent's tools to MCP clients, through the same registry
 * and grants, and optionally files ({@link dev.agentrt.tools.mcp.McpFileResources}), memory namespaces
 * and prompts.
 */
@NullMarked
package dev.agentrt.tools.mcp;

import org.jspecify.annotations.NullMarked;
