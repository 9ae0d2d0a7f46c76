package dev.agentrt.tools.internal.binding;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.binding.Json;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import tools.jackson.core.JacksonException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the model reads for a method's return value, its exception, or arguments it could not bind. */
final class Results {
    /** The result of a method that returns nothing. */
    static final ToolResult OK = ToolResult.text("ok");

    private static final int MAX_MESSAGE = 2000;

    private Results() {}

    /** {@code value} as the model will read it. */
    static ToolResult of(String tool, @Nullable Object value) {
        return switch (value) {
            case ToolResult r -> r;
            case CharSequence s -> ToolResult.text(s.toString());
            case JsonValue v -> ToolResult.json(v);
            case null -> ToolResult.text("null");
            default -> {
                try {
                    yield ToolResult.text(Json.MAPPER.writeValueAsString(value));
                } catch (JacksonException e) {
                    yield ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Tool \"" + tool
                            + "\" failed: its result could not be written as JSON (" + clip(e.getOriginalMessage())
                            + ")");
                }
            }
        };
    }

    static ToolResult invalid(String tool, String why) {
        return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "Invalid arguments for tool \"" + tool + "\": "
                + clip(why) + ". Call it again with one JSON object that matches its parameter schema.");
    }

    /**
     * The error result for what the method threw or signalled. A {@link CapabilityDeniedException}
     * (from {@code ToolContext.require}) and JVM-fatal errors are rethrown instead: the registry turns
     * the first into a permission-denied result.
     */
    static ToolResult failed(String tool, Throwable thrown) {
        Throwable e = unwrap(thrown);
        if (e instanceof CapabilityDeniedException denied) {
            throw denied;
        }
        Exceptions.throwIfJvmFatal(e);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Tool \"" + tool + "\" failed: " + clip(describe(e)));
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return e instanceof ToolException ? m : e.getClass().getSimpleName() + ": " + m;
    }

    private static Throwable unwrap(Throwable thrown) {
        Throwable e = Exceptions.unwrap(thrown);
        while ((e instanceof InvocationTargetException || e instanceof UndeclaredThrowableException
                || e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String clip(@Nullable String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
