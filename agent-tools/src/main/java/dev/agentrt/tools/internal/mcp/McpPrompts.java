package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.tools.mcp.McpPrompt;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An MCP server's prompts for the application: listed ({@code prompts/list}, every page up to
 * {@value #MAX_PROMPTS} prompts) and got ({@code prompts/get}) as core {@link Message}s, after the
 * name and arguments were checked against the listing, so that a caller's mistake gets a message
 * naming what is wrong rather than whatever the server says.
 */
public final class McpPrompts {
    private static final Logger log = LoggerFactory.getLogger(McpPrompts.class);
    /** The most prompts one listing gathers. */
    static final int MAX_PROMPTS = 1000;

    private final String server;
    private final McpSession session;
    private final Duration timeout;

    public McpPrompts(String server, McpSession session, Duration timeout) {
        this.server = server;
        this.session = session;
        this.timeout = timeout;
    }

    /** The server's prompts; none when it does not declare the prompts capability. */
    public Mono<List<McpPrompt>> list() {
        return session.live().flatMap(connection -> {
            if (!declaresPrompts(connection)) {
                return Mono.just(List.<McpPrompt>of());
            }
            return McpPages.<McpSchema.Prompt>collect(cursor -> connection.client()
                    .listPrompts(cursor)
                    .map(r -> new McpPages.Page<>(r.prompts() == null ? List.of() : r.prompts(), r.nextCursor())),
                    MAX_PROMPTS, "prompts")
                    .timeout(timeout)
                    .map(listing -> {
                        if (listing.cut() != null) {
                            log.warn("MCP server '{}': {}", server, listing.cut());
                        }
                        return listing.items().stream().map(McpPrompts::prompt).toList();
                    });
        }).onErrorMap(e -> !(e instanceof IllegalArgumentException), e -> failed("could not list its prompts", e));
    }

    /**
     * The prompt's messages with {@code arguments} filled in. Fails with an
     * {@link IllegalArgumentException} when the server has no prompts or no such prompt, a required
     * argument is missing or an argument is not one of the prompt's; with a {@link ToolException} when
     * the server fails, answers with an error, dies or does not answer in time.
     */
    public Mono<List<Message>> get(String name, Map<String, String> arguments) {
        return session.live().flatMap(connection -> {
            if (!declaresPrompts(connection)) {
                return Mono.error(new IllegalArgumentException("MCP server '" + server + "' has no prompt '" + name
                        + "': it offers no prompts (it does not declare the prompts capability)"));
            }
            return list().flatMap(prompts -> {
                @Nullable
                McpPrompt prompt = prompts.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
                if (prompt == null) {
                    return Mono.error(new IllegalArgumentException("MCP server '" + server + "' has no prompt '"
                            + name + "'; its prompts: " + (prompts.isEmpty()
                                    ? "none"
                                    : prompts.stream().map(McpPrompt::name).collect(Collectors.joining(", ")))));
                }
                String wrong = check(prompt, arguments);
                if (wrong != null) {
                    return Mono.error(new IllegalArgumentException(wrong));
                }
                var request = McpSchema.GetPromptRequest.builder(name)
                        .arguments(new LinkedHashMap<String, Object>(arguments))
                        .build();
                Mono<List<Message>> got = connection.client()
                        .getPrompt(request)
                        .timeout(timeout)
                        .map(McpPrompts::messages);
                Mono<List<Message>> died = connection.failure().flatMap(e -> Mono.<List<Message>>error(e));
                return Mono.firstWithSignal(got, died)
                        .switchIfEmpty(Mono.error(() -> new McpSession.Unavailable("the connection was closed")));
            });
        })
                .onErrorMap(e -> !(e instanceof IllegalArgumentException) && !(e instanceof ToolException),
                        e -> failed("could not get prompt '" + name + "'", e));
    }

    private @Nullable String check(McpPrompt prompt, Map<String, String> arguments) {
        var declared = new LinkedHashMap<String, McpPrompt.Argument>();
        prompt.arguments().forEach(a -> declared.put(a.name(), a));
        for (McpPrompt.Argument a : prompt.arguments()) {
            if (a.required() && !arguments.containsKey(a.name())) {
                return "prompt '" + prompt.name() + "' of MCP server '" + server + "' needs the argument '" + a.name()
                        + "'" + (a.description().isBlank() ? "" : " (" + a.description() + ")");
            }
        }
        for (String given : arguments.keySet()) {
            if (!declared.containsKey(given)) {
                return "prompt '" + prompt.name() + "' of MCP server '" + server + "' has no argument '" + given
                        + "'; its arguments: " + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet()));
            }
        }
        return null;
    }

    private static boolean declaresPrompts(McpConnection connection) {
        McpSchema.ServerCapabilities capabilities = connection.client().getServerCapabilities();
        return capabilities != null && capabilities.prompts() != null;
    }

    static McpPrompt prompt(McpSchema.Prompt p) {
        var arguments = new ArrayList<McpPrompt.Argument>();
        if (p.arguments() != null) {
            for (McpSchema.PromptArgument a : p.arguments()) {
                arguments.add(new McpPrompt.Argument(a.name(), a.description() == null ? "" : a.description(),
                        Boolean.TRUE.equals(a.required())));
            }
        }
        return new McpPrompt(p.name(), p.title() == null ? "" : p.title(),
                p.description() == null ? "" : p.description(), arguments);
    }

    /**
     * Each message with its role: a user's image or sound as media of its own message (checked as a tool result's
     * are, and within the same bounds: {@link McpMedia#MAX_ITEMS} items and {@link Media#MAX_BYTES} bytes in all;
     * one that fails the check or is over them, and any on an assistant message, which holds no media, described
     * in text as a tool result's would be), other content described likewise.
     */
    private static List<Message> messages(McpSchema.GetPromptResult result) {
        var out = new ArrayList<Message>();
        int items = 0;
        long bytes = 0;
        if (result.messages() != null) {
            for (McpSchema.PromptMessage m : result.messages()) {
                boolean user = m.role() != McpSchema.Role.ASSISTANT;
                if (user && (m.content() instanceof McpSchema.ImageContent
                        || m.content() instanceof McpSchema.AudioContent)) {
                    try {
                        Media media = McpMedia.media(m.content());
                        if (items < McpMedia.MAX_ITEMS && bytes + media.size() <= Media.MAX_BYTES) {
                            items++;
                            bytes += media.size();
                            out.add(Message.user("", List.of(media)));
                            continue;
                        }
                    } catch (IllegalArgumentException e) {
                        // described below, as an unusable image in a tool result is
                    }
                }
                String text = m.content() == null ? "" : McpJson.describe(m.content());
                out.add(user ? Message.user(text) : Message.assistant(text));
            }
        }
        return List.copyOf(out);
    }

    private ToolException failed(String what, Throwable e) {
        String why = McpErrors.isTimeout(e)
                ? "it did not answer within " + timeout.toMillis() + " ms"
                : McpErrors.why(e);
        return new ToolException("MCP server '" + server + "' " + what + ": " + why, e);
    }
}
