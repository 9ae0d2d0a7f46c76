package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpTransportException;
import reactor.core.Exceptions;

import java.util.concurrent.TimeoutException;

/** Why a request to an MCP server failed, in words, from whatever the SDK or our transports signalled. */
final class McpErrors {
    private McpErrors() {}

    /** Ours or the SDK's request timeout (which it wraps). */
    static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The server's JSON-RPC error ("the server answered: &lt;message&gt; (code, data)"), a transport's
     * failure, or the innermost message.
     */
    static String why(Throwable error) {
        Throwable e = Exceptions.unwrap(error);
        if (e instanceof McpSession.Unavailable u) {
            return u.getMessage();
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof McpError)
                && !(cause instanceof McpTransportException)) {
            cause = cause.getCause();
        }
        if (cause instanceof McpError m && m.getJsonRpcError() != null) {
            var rpc = m.getJsonRpcError();
            if (rpc.data() instanceof TransportFailure f) {
                return f.message();
            }
            // The TypeScript SDK repeats the code in the message ("MCP error -32603: ..."): said once.
            String message = String.valueOf(rpc.message());
            String repeated = "MCP error " + rpc.code() + ": ";
            if (message.startsWith(repeated)) {
                message = message.substring(repeated.length());
            }
            return "the server answered with error " + rpc.code() + ": " + message
                    + (rpc.data() == null ? "" : " (" + McpJson.write(rpc.data()) + ")");
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
