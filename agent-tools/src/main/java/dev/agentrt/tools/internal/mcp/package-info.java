/**
 * Implementation of the MCP bridges: our transports (a subprocess and streamable HTTP for the client,
 * stdio and streamable HTTP for the server), JSON conversions, tool adapters. Not API.
 */
@NullMarked
package dev.agentrt.tools.internal.mcp;

import org.jspecify.annotations.NullMarked;
