/** Implementation of the MCP bridges: a subprocess transport, JSON conversions, tool adapters. Not API. */
@NullMarked
package dev.agentrt.tools.internal.mcp;

import org.jspecify.annotations.NullMarked;
