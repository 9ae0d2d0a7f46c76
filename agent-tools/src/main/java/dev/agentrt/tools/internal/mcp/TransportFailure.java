package dev.agentrt.tools.internal.mcp;

/**
 * Marks an error answer our transport made up for a request the server's answer to which was lost
 * (too large, not valid JSON-RPC): the {@code data} of that JSON-RPC error, so the tool reports a
 * broken transport rather than a server that refused the call. Never sent anywhere.
 */
record TransportFailure(String message) {}
