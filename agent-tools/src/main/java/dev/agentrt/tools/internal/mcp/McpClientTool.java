package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolTrace;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * One tool of an MCP server as a core {@link Tool}. Every call needs {@code custom("mcp:<server>",
 * <mcp tool name>)}; the call goes to the server with a timeout, and every failure (an {@code isError}
 * result, a JSON-RPC error, a dead server, a timeout) comes back as an error result, never as an error
 * signal.
 */
public final class McpClientTool implements Tool {
    private final ToolSpec spec;
    private final String mcpName;
    private final String server;
    private final List<Capability> required;
    private final McpSession session;
    private final Duration timeout;
    private final @Nullable JsonSchema outputSchema;
    /** Set when a server's elicitation pauses a durable run (McpTools.Builder.elicitationPausesRun); else null. */
    private final @Nullable ElicitationPauses pauses;

    public McpClientTool(ToolSpec spec, String mcpName, String server, Capability capability, McpSession session,
            Duration timeout, @Nullable ElicitationPauses pauses) {
        this.pauses = pauses;
        this.spec = spec;
        this.mcpName = mcpName;
        this.server = server;
        this.required = List.of(capability);
        this.session = session;
        this.timeout = timeout;
        this.outputSchema = spec.outputSchema() == null ? null : JsonSchema.compile(spec.outputSchema());
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    /** The tool's name on its server (the spec's name may carry a prefix or replaced characters). */
    public String mcpName() {
        return mcpName;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return required;
    }

    /**
     * Calls the tool with a progress token, so the server's progress reaches the agent as events;
     * a call the agent cancels, or that times out, is cancelled on the server too
     * ({@code notifications/cancelled}), so that it stops working on it.
     */
    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        ToolTrace trace = context.trace();
        return session.live().flatMap(connection -> {
            String refused = session.refusal(mcpName);
            if (refused != null) {
                return Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "MCP tool \"" + mcpName
                        + "\" on server '" + server + "' is not called: " + refused + "."));
            }
            String token = session.progressToken(context);
            // The OpenTelemetry MCP conventions: the call's span (the agent's execute_tool) gets the client
            // attributes, and the request carries its context in params._meta (unprefixed traceparent,
            // tracestate, baggage) so that the server's span is its child.
            trace.attribute("mcp.method.name", "tools/call");
            var meta = new LinkedHashMap<String, Object>();
            trace.inject((key, value) -> {
                if (!key.equals("progressToken")) {
                    meta.put(key, value);
                }
            });
            meta.put("progressToken", token);
            var request = McpSchema.CallToolRequest.builder(mcpName)
                    .arguments(McpJson.toMap(arguments))
                    .meta(meta)
                    .build();
            var answered = context.answered();
            Mono<?> answer;
            ElicitationPauses.Slot slot = null;
            if ("required".equals(connection.taskSupport(mcpName))) {
                // A tool that must run as a task is called as one (McpTaskCall); the SDK's client cannot read its
                // answer.
                answer = McpTaskCall.call(connection, server, mcpName, McpJson.toMap(arguments), meta, timeout);
            } else if (connection.client() instanceof ModernRequester modern
                    && (answered.isPresent() || pauses != null && context.canAwaitInput())) {
                ModernRequester.Elicited resumed = null;
                JsonObject content = null;
                if (answered.isPresent()) {
                    resumed = resumed(answered.get());
                    if (resumed == null || !(answered.get().json() instanceof JsonObject given)) {
                        return Mono.just(failed("the answer it was run again with is not one to a question of this "
                                + "tool (its state does not name this server and tool)"));
                    }
                    content = given;
                }
                answer = modern.callToolPausing(request, resumed, content);
            } else if (pauses != null && connection.tiesElicitations()
                    && (answered.isPresent() || context.canAwaitInput())) {
                // 2025 over HTTP: the server's elicitation of this call comes stamped with it (ElicitationPauses).
                ElicitationPauses.Recorded recorded = null;
                if (answered.isPresent()) {
                    recorded = recorded(answered.get());
                    if (recorded == null) {
                        return Mono.just(failed("the answer it was run again with is not one to a question of this "
                                + "tool (its state does not name this server and tool)"));
                    }
                }
                slot = pauses.open(connection, token, recorded);
                answer = connection.client().callTool(request);
            } else if (answered.isPresent()) {
                return Mono.just(failed("the user's answer cannot be sent: this connection cannot tie the server's "
                        + "questions to a call (it changed protocol revision since the question was asked)"));
            } else {
                answer = connection.client().callTool(request);
            }
            ElicitationPauses.Slot paused = slot;
            Mono<ToolResult> call = answer
                    // On the connection's scheduler, as its other waits are (McpTools.Builder.timers in tests).
                    .timeout(timeout, connection.timers())
                    .doOnError(e -> {
                        if (isTimeout(e)) {
                            connection.cancel(token, "the client's timeout of " + timeout.toMillis() + " ms passed");
                        }
                    })
                    .map(result -> {
                        ElicitationPauses.Asked legacy = paused == null ? null : paused.asked();
                        if (legacy != null) {
                            // The server heard "cancel"; whatever it answered, the run pauses on its question.
                            return question(legacy);
                        }
                        return result instanceof ModernRequester.Elicited asked
                                ? question(asked)
                                : toResult((McpSchema.CallToolResult) result, trace);
                    })
                    .onErrorResume(e -> {
                        ElicitationPauses.Asked legacy = paused == null ? null : paused.asked();
                        return Mono.just(legacy != null ? question(legacy) : toResult(e, trace));
                    });
            Mono<ToolResult> died = connection.failure().map(e -> failed(e.getMessage()));
            return Mono.firstWithSignal(call, died)
                    .switchIfEmpty(Mono.fromSupplier(() -> failed("the connection was closed")))
                    // Before the answer goes on: the registry ends the call's span when it gets it.
                    .doOnNext(result -> connection.describe(trace, token))
                    .doOnCancel(() -> connection.cancel(token, "the agent cancelled the call"))
                    .doFinally(signal -> {
                        if (paused != null) {
                            paused.close();
                        }
                        session.done(token, connection);
                    });
        }).onErrorResume(e -> Mono.just(toResult(e, ToolTrace.NONE)));
    }

    /**
     * A 2026-07-28 server's elicitation as a question that pauses the run: the server's message and schema, and as the
     * resume state what the re-run sends back (the round's key, {@code requestState} and other answers).
     */
    private ToolResult question(ModernRequester.Elicited asked) {
        var state = new LinkedHashMap<String, Object>();
        state.put("mcp", "elicitation/create");
        state.put("server", server);
        state.put("tool", mcpName);
        state.put("key", asked.key());
        state.put("requestState", asked.requestState());
        state.put("inputResponses", asked.answered());
        return ToolResult.inputRequired(new InputRequest(asked.message(), asked.requestedSchema(),
                McpJson.fromJava(state).toJson()));
    }

    /** A 2025-revision server's elicitation, which it heard cancelled, as a question that pauses the run. */
    private ToolResult question(ElicitationPauses.Asked asked) {
        var state = new LinkedHashMap<String, Object>();
        state.put("mcp", "elicitation/create");
        state.put("server", server);
        state.put("tool", mcpName);
        state.put("stream", true);
        return ToolResult.inputRequired(new InputRequest(asked.message(), asked.requestedSchema(),
                McpJson.fromJava(state).toJson()));
    }

    /** The user's answer to what {@link #question(ElicitationPauses.Asked)} asked; null when it is not this tool's. */
    private ElicitationPauses.@Nullable Recorded recorded(ToolContext.Answer answer) {
        Map<?, ?> state = state(answer);
        JsonObject schema = answer.request().answerSchema();
        if (state == null || !Boolean.TRUE.equals(state.get("stream")) || schema == null
                || !(answer.json() instanceof JsonObject content)) {
            return null;
        }
        return new ElicitationPauses.Recorded(answer.request().question(), schema, content);
    }

    /** The resume state a question of this tool kept, or null when the answer's is not one. */
    private @Nullable Map<?, ?> state(ToolContext.Answer answer) {
        String kept = answer.resumeState();
        if (kept == null) {
            return null;
        }
        Object state;
        try {
            state = McpJson.toJava(JsonValue.parse(kept));
        } catch (RuntimeException e) {
            return null;
        }
        return state instanceof Map<?, ?> map && "elicitation/create".equals(map.get("mcp"))
                && server.equals(map.get("server")) && mcpName.equals(map.get("tool")) ? map : null;
    }

    /** What {@link #question} kept, read back from the answer's resume state; null when it is not this tool's. */
    private ModernRequester.@Nullable Elicited resumed(ToolContext.Answer answer) {
        Map<?, ?> map = state(answer);
        if (map == null || !(map.get("key") instanceof String key)) {
            return null;
        }
        var answered = new LinkedHashMap<String, Object>();
        if (map.get("inputResponses") instanceof Map<?, ?> others) {
            others.forEach((k, v) -> answered.put(String.valueOf(k), v));
        }
        JsonObject schema = answer.request().answerSchema();
        return new ModernRequester.Elicited(answer.request().question(),
                schema == null ? JsonObject.builder().build() : schema, key,
                map.get("requestState") instanceof String s ? s : null, answered);
    }

    /** Ours or the SDK's request timeout (which it wraps). */
    private static boolean isTimeout(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private ToolResult toResult(McpSchema.CallToolResult result, ToolTrace trace) {
        McpMedia.Converted converted = McpMedia.toolResult(result);
        String text = converted.text();
        if (Boolean.TRUE.equals(result.isError())) {
            trace.attribute("error.type", "tool_error");
            return new ToolResult(text.isBlank()
                    ? "MCP tool \"" + mcpName + "\" on server '" + server + "' failed without a message."
                    : text, ToolErrorKind.EXECUTION_FAILED, converted.media());
        }
        String broken = structureProblem(result);
        if (broken != null) {
            trace.attribute("error.type", "tool_error");
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "MCP tool \"" + mcpName + "\" on server '"
                    + server + "' returned a result that breaks its output schema: " + broken
                    + ". The result is not used.");
        }
        return converted.media().isEmpty() ? ToolResult.text(text) : ToolResult.withMedia(text, converted.media());
    }

    /**
     * Why a successful result does not keep the tool's declared output schema (MCP: a tool with one returns
     * {@code structuredContent} that conforms to it), or null when it does or the tool declares none.
     */
    private @Nullable String structureProblem(McpSchema.CallToolResult result) {
        JsonSchema schema = outputSchema;
        if (schema == null) {
            return null;
        }
        if (result.structuredContent() == null) {
            return "it has no structuredContent";
        }
        JsonValue structured;
        try {
            structured = McpJson.fromJava(result.structuredContent());
        } catch (RuntimeException e) {
            return "its structuredContent is not JSON (" + e.getMessage() + ")";
        }
        List<String> violations = schema.validate(structured);
        if (violations.isEmpty()) {
            return null;
        }
        return String.join("; ", violations.subList(0, Math.min(3, violations.size())))
                + (violations.size() > 3 ? " (and " + (violations.size() - 3) + " more)" : "");
    }

    private ToolResult toResult(Throwable error, ToolTrace trace) {
        Throwable e = Exceptions.unwrap(error);
        if (e instanceof McpSession.Unavailable u) {
            return failed(u.getMessage());
        }
        if (e instanceof TimeoutException) {
            trace.attribute("error.type", "timeout");
            return ToolResult.error(ToolErrorKind.TIMEOUT, "MCP tool \"" + mcpName + "\" on server '" + server
                    + "' did not answer within " + timeout.toMillis() + " ms.");
        }
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof McpError) && !(cause instanceof McpTransportException)) {
            cause = cause.getCause();
        }
        if (cause instanceof McpError m && m.getJsonRpcError() != null
                && m.getJsonRpcError().data() instanceof TransportFailure f) {
            return failed(f.message());
        }
        if (cause instanceof McpError m && m.getJsonRpcError() != null) {
            var rpc = m.getJsonRpcError();
            // The conventions: error.type and rpc.response.status_code are the JSON-RPC error's code.
            trace.attribute("error.type", Integer.toString(rpc.code()));
            trace.attribute("rpc.response.status_code", Integer.toString(rpc.code()));
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "MCP server '" + server + "' refused the call to \""
                    + mcpName + "\": " + rpc.message() + (rpc.data() == null
                            ? ""
                            : " (" + McpJson.write(rpc.data())
                                    + ")"));
        }
        return failed(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    private ToolResult failed(String why) {
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "MCP tool \"" + mcpName + "\" on server '" + server
                + "' failed: " + why);
    }
}
