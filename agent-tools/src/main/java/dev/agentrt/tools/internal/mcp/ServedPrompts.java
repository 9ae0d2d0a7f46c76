package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The prompts a server serves, in the order they were registered. {@code prompts/get} checks the
 * arguments (an unknown prompt, a missing required argument, an argument the prompt does not have or
 * one that is not a string are {@code -32602}), then runs the prompt's renderer on {@link
 * AgentSchedulers#blocking()}, as it may block. Prompts may be added and removed while serving; a {@code
 * prompts/get} sees the prompts of when it started. Thread-safe.
 */
public final class ServedPrompts {
    private static final Logger log = LoggerFactory.getLogger(ServedPrompts.class);

    /** One argument of a prompt. */
    public record Argument(String name, @Nullable String description, boolean required) {}

    /** One registered prompt. */
    public record Prompt(String name, @Nullable String description, List<Argument> arguments,
            Function<Map<String, String>, List<Message>> renderer) {}

    /** Replaced whole (never changed in place) by {@link #add} and {@link #remove}. */
    private volatile Map<String, Prompt> prompts;

    public ServedPrompts(List<Prompt> prompts) {
        var byName = new LinkedHashMap<String, Prompt>();
        for (Prompt p : prompts) {
            byName.put(p.name(), p);
        }
        this.prompts = byName;
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }

    /** Serves {@code prompt} after the others; false (nothing changed) when one of that name is served already. */
    synchronized boolean add(Prompt prompt) {
        if (prompts.containsKey(prompt.name())) {
            return false;
        }
        var next = new LinkedHashMap<>(prompts);
        next.put(prompt.name(), prompt);
        prompts = next;
        return true;
    }

    /** Stops serving the prompt {@code name}; false (nothing changed) when there is none. */
    synchronized boolean remove(String name) {
        if (!prompts.containsKey(name)) {
            return false;
        }
        var next = new LinkedHashMap<>(prompts);
        next.remove(name);
        prompts = next;
        return true;
    }

    McpSchema.ListPromptsResult list() {
        var listed = new ArrayList<McpSchema.Prompt>();
        for (Prompt p : prompts.values()) {
            listed.add(McpSchema.Prompt.builder(p.name())
                    .description(p.description())
                    .arguments(p.arguments()
                            .stream()
                            .map(a -> McpSchema.PromptArgument.builder(a.name())
                                    .description(a.description())
                                    .required(a.required())
                                    .build())
                            .toList())
                    .build());
        }
        return McpSchema.ListPromptsResult.builder(listed).build();
    }

    Mono<McpSchema.GetPromptResult> get(@Nullable String name, @Nullable Map<?, ?> given) {
        return Mono.defer(() -> {
            if (name == null) {
                return Mono.error(invalid("prompts/get needs the \"name\" of a prompt"));
            }
            Map<String, Prompt> served = prompts;
            Prompt prompt = served.get(name);
            if (prompt == null) {
                return Mono.error(invalid("no prompt named \"" + name + "\"; the prompts are " + served.keySet()));
            }
            var arguments = new LinkedHashMap<String, String>();
            if (given != null) {
                for (Map.Entry<?, ?> e : given.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    if (prompt.arguments().stream().noneMatch(a -> a.name().equals(key))) {
                        return Mono.error(invalid("the prompt \"" + name + "\" has no argument \"" + key + "\""));
                    }
                    if (!(e.getValue() instanceof String value)) {
                        return Mono.error(invalid("the argument \"" + key + "\" of the prompt \"" + name
                                + "\" must be a string"));
                    }
                    arguments.put(key, value);
                }
            }
            for (Argument a : prompt.arguments()) {
                if (a.required() && !arguments.containsKey(a.name())) {
                    return Mono.error(invalid("the prompt \"" + name + "\" needs the argument \"" + a.name()
                            + "\""));
                }
            }
            return Mono.fromCallable(() -> render(prompt, Map.copyOf(arguments)))
                    .subscribeOn(AgentSchedulers.blocking());
        });
    }

    private static McpSchema.GetPromptResult render(Prompt prompt, Map<String, String> arguments) {
        List<Message> messages;
        try {
            messages = Objects.requireNonNull(prompt.renderer().apply(arguments), "the renderer returned null");
        } catch (IllegalArgumentException e) {
            // The renderer's own check of an argument's value: the client's to fix.
            throw invalid("the prompt \"" + prompt.name() + "\" refused its arguments: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn("MCP prompt '{}' failed to render", prompt.name(), e);
            throw failed("the prompt \"" + prompt.name() + "\" failed to render");
        }
        var out = new ArrayList<McpSchema.PromptMessage>();
        for (Message m : messages) {
            switch (m) {
                case Message.User u -> {
                    // A prompt message holds one content: the text, then each image or sound as a message of its own.
                    if (!u.text().isEmpty() || u.media().isEmpty()) {
                        out.add(message(McpSchema.Role.USER, u.text()));
                    }
                    for (Media item : u.media()) {
                        out.add(new McpSchema.PromptMessage(McpSchema.Role.USER, media(prompt, item)));
                    }
                }
                case Message.Assistant a when !a.hasToolCalls() -> out.add(message(McpSchema.Role.ASSISTANT, a.text()));
                default -> {
                    log.warn("MCP prompt '{}' rendered a {} message, which MCP prompts cannot hold", prompt.name(),
                            m.getClass().getSimpleName());
                    throw failed("the prompt \"" + prompt.name() + "\" rendered a message MCP prompts cannot hold "
                            + "(only user messages, with their images and sounds, and assistant text are)");
                }
            }
        }
        return McpSchema.GetPromptResult.builder(out).description(prompt.description()).build();
    }

    private static McpSchema.Content media(Prompt prompt, Media m) {
        return switch (m) {
            case Media.Image i when i.base64() != null -> McpSchema.ImageContent.builder(i.base64(), i.mimeType())
                    .build();
            case Media.Image i -> {
                // MCP prompt content carries image bytes, not links; fetching the URL is not the server's to do.
                log.warn("MCP prompt '{}' rendered an image known only by its URL, which MCP prompts cannot hold",
                        prompt.name());
                throw failed("the prompt \"" + prompt.name() + "\" rendered an image known only by its URL ("
                        + i.url() + "); MCP prompts carry image data");
            }
            case Media.Audio a -> McpSchema.AudioContent.builder(a.base64(), a.mimeType()).build();
        };
    }

    private static McpSchema.PromptMessage message(McpSchema.Role role, String text) {
        return new McpSchema.PromptMessage(role, McpSchema.TextContent.builder(text).build());
    }

    private static McpError invalid(String why) {
        return McpError.builder(ErrorCodes.INVALID_PARAMS).message("Invalid params: " + why).build();
    }

    private static McpError failed(String why) {
        return McpError.builder(ErrorCodes.INTERNAL_ERROR).message("Internal error: " + why).build();
    }
}
