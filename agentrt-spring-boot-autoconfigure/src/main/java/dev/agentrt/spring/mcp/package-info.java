/**
 * MCP for Spring applications: connections to MCP servers from {@code agentrt.mcp.clients.*}, each a
 * {@link dev.agentrt.tools.mcp.McpTools} bean, and the application's tools served over MCP on its own
 * HTTP server ({@code agentrt.mcp.server.*}, WebFlux or MVC).
 */
@NullMarked
package dev.agentrt.spring.mcp;

import org.jspecify.annotations.NullMarked;
