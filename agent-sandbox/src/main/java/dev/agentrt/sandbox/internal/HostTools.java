package dev.agentrt.sandbox.internal;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The task's tools as a script sees them in code mode, in JavaScript and in Python: each call goes to {@link ToolContext#callTool},
 * so through the registry's whole path (schema, capabilities, approvals, events, the tool timeout, the
 * cap on calls), and its result or error comes back as JSON text for the harness. Every failure is a
 * message for the script, never an exception: an exception in a host function leaves the engine unusable.
 *
 * <p>A call blocks the guest's thread until the tool answers; that thread must be one that may block
 * (see {@code CodeExecutor}). A stop of the run (its time limit, a cancellation) interrupts the wait and
 * cancels the call in flight, so nothing a script started outlives it.
 */
public final class HostTools {
    private static final HostTools NONE = new HostTools(null);

    private final @Nullable ToolContext context;

    private HostTools(@Nullable ToolContext context) {
        this.context = context;
    }

    /** No tools: the script's {@code tools} object is empty and every call fails. */
    public static HostTools none() {
        return NONE;
    }

    /** The tools {@code context} may call; none when it can call none. */
    public static HostTools of(ToolContext context) {
        return context.tools().isEmpty() ? NONE : new HostTools(context);
    }

    /** Whether a script can call any tool, so its run needs a thread that may wait. */
    public boolean any() {
        return context != null;
    }

    /** The names the script's {@code tools} object offers, as a JSON array; {@code null} for no object at all. */
    public String namesJson() {
        ToolContext c = context;
        if (c == null) {
            return "null";
        }
        List<ToolSpec> specs = c.tools();
        return JsonValue.of(specs.stream().map(ToolSpec::name).toList()).toJson();
    }

    /**
     * Calls {@code name} with {@code arguments} and waits: {@code {"value": result}} (the tool's output
     * parsed when it is JSON text, otherwise the text), or {@code {"error": message, "kind": KIND}}.
     */
    public String call(String name, @Nullable JsonValue arguments, RunGuard guard) {
        ToolContext c = context;
        if (c == null) {
            return error("Tool \"" + name + "\" cannot be called: this run has no tools.", "UNKNOWN_TOOL");
        }
        JsonObject args;
        if (arguments == null || arguments instanceof JsonValue.JsonNull) {
            args = JsonObject.builder().build();
        } else if (arguments instanceof JsonObject o) {
            args = o;
        } else {
            return error("tools." + name + " takes one object of arguments, got " + arguments.typeName() + ".",
                    "INVALID_ARGUMENTS");
        }
        var answer = new CompletableFuture<@Nullable ToolResult>();
        Disposable call;
        try {
            call = c.callTool(name, args)
                    .subscribe(answer::complete, answer::completeExceptionally, () -> answer.complete(null));
        } catch (RuntimeException e) {
            return error("Tool \"" + name + "\" failed: " + e, "EXECUTION_FAILED");
        }
        ToolResult result;
        try {
            result = answer.get();
        } catch (InterruptedException e) {
            // The run was stopped: the call in flight is cancelled, and the guest ends at its next check.
            call.dispose();
            Thread.currentThread().interrupt();
            return error("The run was stopped while tool \"" + name + "\" ran.", "EXECUTION_FAILED");
        } catch (ExecutionException e) {
            return error("Tool \"" + name + "\" failed: " + e.getCause(), "EXECUTION_FAILED");
        } finally {
            if (guard.stopped() != null && !Thread.currentThread().isInterrupted()) {
                // A tool that ran on this thread may have swallowed the interrupt that stopped the run.
                Thread.currentThread().interrupt();
            }
        }
        if (result == null) {
            return error("Tool \"" + name + "\" returned no result.", "EXECUTION_FAILED");
        }
        if (result.isInputRequired()) {
            return error("Tool \"" + name + "\" needs the user's answer to a question, which a script cannot ask: "
                    + result.content(), "INPUT_REQUIRED");
        }
        if (result.isError()) {
            return error(result.content(), String.valueOf(result.errorKind()));
        }
        return JsonObject.builder().put("value", value(result.content())).build().toJson();
    }

    private static JsonValue value(String content) {
        String s = content.strip();
        if (!s.isEmpty() && (s.charAt(0) == '{' || s.charAt(0) == '[')) {
            try {
                return JsonValue.parse(s);
            } catch (JsonParseException e) {
                return JsonValue.of(content);
            }
        }
        return JsonValue.of(content);
    }

    private static String error(String message, String kind) {
        return JsonObject.builder().put("error", message).put("kind", kind).build().toJson();
    }
}
