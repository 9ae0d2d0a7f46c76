package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the file-system tools share: the root, the limits, the blocking invocation and the mapping of
 * failures to error results. {@link #requiredCapabilities} implementations only check paths
 * lexically (no I/O, any thread); {@link #run} resolves them again on the file system, never
 * following a link.
 */
abstract class FsTool implements Tool {
    final Jail jail;
    final FsLimits limits;
    private final ToolSpec spec;

    FsTool(Jail jail, FsLimits limits, String name, String description, String schema) {
        this.jail = jail;
        this.limits = limits;
        this.spec = new ToolSpec(name, description, JsonValue.parse(schema).asObject());
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }

    /** All file I/O blocks: the registry runs these tools on {@code AgentSchedulers.blocking()}. */
    @Override
    public final boolean blocking() {
        return true;
    }

    @Override
    public final Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return Mono.fromCallable(() -> {
            try {
                return run(arguments);
            } catch (FsException e) {
                return ToolResult.error(e.kind(), e.getMessage());
            } catch (ConfinementException e) {
                // A link or a swapped entry is a refusal, never a retryable I/O error.
                return ToolResult.error(e.denied() ? ToolErrorKind.PERMISSION_DENIED : ToolErrorKind.INVALID_ARGUMENTS,
                        e.denied()
                                ? e.getMessage() + " (the file-system tools never follow symbolic links)"
                                : e.getMessage());
            } catch (ClosedByInterruptException | InterruptedIOException e) {
                Thread.currentThread().interrupt();
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "The call was interrupted.");
            } catch (NoSuchFileException e) {
                return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                        "A file or directory disappeared while the call ran; check the path and try again.");
            } catch (AccessDeniedException e) {
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                        "The operating system denied access to a file of the call.");
            } catch (IOException e) {
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "I/O error: "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        });
    }

    abstract ToolResult run(JsonObject arguments) throws IOException;

    /** The checked path argument {@code name}, {@code "."} (the root) when absent. */
    Jail.Target target(JsonObject arguments, String name) {
        return jail.resolve(arguments.getString(name).orElse("."));
    }

    /**
     * The path the capability check of argument {@code name} is made for: the checked target's or, for a
     * well-formed path that leaves the root, the path it names. So a call reaching outside is first a question of
     * grants (refused as not granted, with a permission-denied event, the approval handler asked) and, if it was
     * granted anyway, refused by the confinement when it runs: these tools never reach outside their root.
     */
    Path capabilityPath(JsonObject arguments, String name) {
        return outsideOr(arguments, name, () -> target(arguments, name).absolute());
    }

    /** {@link #capabilityPath} for an argument naming a file. */
    Path fileCapabilityPath(JsonObject arguments) {
        return outsideOr(arguments, "path", () -> fileTarget(arguments).absolute());
    }

    private Path outsideOr(JsonObject arguments, String name, Supplier<Path> inside) {
        try {
            return inside.get();
        } catch (FsException e) {
            Path named = jail.outside(arguments.getString(name).orElse("."));
            if (named == null) {
                throw e;
            }
            return named;
        }
    }

    /** The target as a file: not the root itself. */
    Jail.Target fileTarget(JsonObject arguments) {
        Jail.Target t = target(arguments, "path");
        if (t.names().isEmpty()) {
            throw FsException.invalid("the path names the root directory, not a file");
        }
        return t;
    }
}
