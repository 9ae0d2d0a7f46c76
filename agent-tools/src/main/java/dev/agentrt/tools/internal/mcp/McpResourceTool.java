package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A tool over an MCP server's resources: {@code read_resource} ({@code resources/read} of one URI) or
 * {@code list_resources} ({@code resources/list} and {@code resources/templates/list}, their cursors
 * followed up to {@value #MAX_LISTED} entries each, a cut said in the result). Every call needs a
 * capability of the server ({@code custom("mcp:<server>", "resources/read")} or
 * {@code "resources/list"}), so the agent's grants decide as for the server's tools. A text too long
 * is cut at the tool's limit, and the result says so; binary contents are described, never dumped.
 * Failures (a JSON-RPC error, a dead server, a timeout, a server that no longer declares resources)
 * are error results, never error signals.
 */
public final class McpResourceTool implements Tool {
    /** The capability scope (on {@code mcp:<server>}) of reading a resource. */
    public static final String READ_SCOPE = "resources/read";
    /** The capability scope (on {@code mcp:<server>}) of listing resources and resource templates. */
    public static final String LIST_SCOPE = "resources/list";
    /** The most resources, and the most resource templates, one listing shows. */
    public static final int MAX_LISTED = 200;

    private enum Kind {
        READ, LIST
    }

    private final Kind kind;
    private final ToolSpec spec;
    private final String server;
    private final List<Capability> required;
    private final McpSession session;
    private final Duration timeout;
    private final int maxChars;
    private final @Nullable String readTool;

    private McpResourceTool(Kind kind, ToolSpec spec, String server, Capability capability, McpSession session,
            Duration timeout, int maxChars, @Nullable String readTool) {
        this.kind = kind;
        this.spec = spec;
        this.server = server;
        this.required = List.of(capability);
        this.session = session;
        this.timeout = timeout;
        this.maxChars = maxChars;
        this.readTool = readTool;
    }

    /**
     * The tool that reads one resource, named {@code name}, its text cut at {@code maxChars}
     * characters.
     */
    public static McpResourceTool read(String name, String server, Capability capability, McpSession session,
            Duration timeout, int maxChars) {
        var schema = JsonObject.builder()
                .put("type", "object")
                .put("properties", JsonObject.builder()
                        .put("uri", JsonObject.builder()
                                .put("type", "string")
                                .put("description", "The URI of the resource: one that list_resources gave, a "
                                        + "resource template's URI with its {placeholders} filled in, or the URI of "
                                        + "a resource link or embedded resource a tool of this server returned")
                                .build())
                        .build())
                .put("required", JsonArray.of(JsonValue.of("uri")))
                .build();
        String description = "Reads a resource of the MCP server '" + server + "' by its URI and returns its "
                + "contents: text as it is (cut at " + maxChars + " characters, which the result says), binary "
                + "contents described by MIME type and size.";
        return new McpResourceTool(Kind.READ, new ToolSpec(name, description, schema), server, capability, session,
                timeout, maxChars, null);
    }

    /** The tool that lists the resources and resource templates; {@code readTool} names the tool that reads one. */
    public static McpResourceTool list(String name, String server, Capability capability, McpSession session,
            Duration timeout, @Nullable String readTool) {
        String description = "Lists the resources of the MCP server '" + server + "' (URI, name, MIME type, "
                + "description) and its resource templates (URIs with {placeholders} to fill in)"
                + (readTool == null ? "" : "; read one with " + readTool) + ". Shows at most " + MAX_LISTED
                + " of each.";
        var schema = JsonObject.builder()
                .put("type", "object")
                .put("properties", JsonObject.builder().build())
                .build();
        return new McpResourceTool(Kind.LIST, new ToolSpec(name, description, schema), server, capability, session,
                timeout, 0, readTool);
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return required;
    }

    /** Reading or listing changes nothing on the server: safe to run again after an interruption. */
    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return switch (kind) {
            case READ -> readResource(arguments.getString("uri").orElse(""));
            case LIST -> listResources();
        };
    }

    private Mono<ToolResult> readResource(String uri) {
        if (uri.isBlank()) {
            return Mono.just(ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS,
                    "Give the URI of the resource to read in \"uri\"."));
        }
        String what = "could not read resource \"" + uri + "\"";
        return onLiveConnection(what, connection -> connection.client()
                .readResource(McpSchema.ReadResourceRequest.builder(uri).build())
                .map(result -> ToolResult.text(text(uri, result))));
    }

    private Mono<ToolResult> listResources() {
        return onLiveConnection("could not list its resources", connection -> {
            var client = connection.client();
            Mono<McpPages.Listing<McpSchema.Resource>> resources = McpPages.collect(cursor -> client
                    .listResources(cursor)
                    .map(r -> new McpPages.Page<>(r.resources() == null ? List.of() : r.resources(), r.nextCursor())),
                    MAX_LISTED, "resources");
            // A server may list resources and serve no templates (the method unknown to it): said, not failed.
            Mono<Templates> templates = McpPages.<McpSchema.ResourceTemplate>collect(cursor -> client
                    .listResourceTemplates(cursor)
                    .map(r -> new McpPages.Page<>(r.resourceTemplates() == null
                            ? List.of()
                            : r.resourceTemplates(), r.nextCursor())),
                    MAX_LISTED, "resource templates")
                    .map(l -> new Templates(l, null))
                    .onErrorResume(e -> !McpErrors.isTimeout(e),
                            e -> Mono.just(new Templates(new McpPages.Listing<>(List.of(), null), McpErrors.why(e))));
            return resources.zipWith(templates, (r, t) -> ToolResult.text(listing(r, t)));
        });
    }

    private Mono<ToolResult> onLiveConnection(String what,
            Function<McpConnection, Mono<ToolResult>> request) {
        return session.live().flatMap(connection -> {
            McpSchema.ServerCapabilities capabilities = connection.client().getServerCapabilities();
            if (capabilities == null || capabilities.resources() == null) {
                return Mono.just(failed(what, "the server no longer declares the resources capability"));
            }
            Mono<ToolResult> call = request.apply(connection).timeout(timeout);
            Mono<ToolResult> died = connection.failure().map(e -> failed(what, e.getMessage()));
            return Mono.firstWithSignal(call, died)
                    .switchIfEmpty(Mono.fromSupplier(() -> failed(what, "the connection was closed")));
        })
                .onErrorResume(e -> Mono.just(McpErrors.isTimeout(e)
                        ? ToolResult.error(ToolErrorKind.TIMEOUT, "MCP server '" + server + "' " + what
                                + ": it did not answer within " + timeout.toMillis() + " ms.")
                        : failed(what, McpErrors.why(e))));
    }

    private ToolResult failed(String what, @Nullable String why) {
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "MCP server '" + server + "' " + what + ": "
                + Objects.requireNonNullElse(why, "no reason given") + ".");
    }

    private String text(String uri, McpSchema.ReadResourceResult result) {
        List<McpSchema.ResourceContents> contents = result.contents() == null ? List.of() : result.contents();
        if (contents.isEmpty()) {
            return "[resource " + uri + ": the server returned no contents]";
        }
        var parts = new ArrayList<String>(contents.size());
        for (McpSchema.ResourceContents c : contents) {
            parts.add(McpJson.describe(c));
        }
        String text = String.join("\n", parts);
        if (text.length() <= maxChars) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, end) + "\n[... cut: the resource's contents are " + text.length()
                + " characters long; only the first " + end + " are shown]";
    }

    /** The templates listed, or why they could not be ({@code failure}). */
    private record Templates(McpPages.Listing<McpSchema.ResourceTemplate> listing, @Nullable String failure) {}

    private String listing(McpPages.Listing<McpSchema.Resource> resources, Templates templates) {
        var out = new StringBuilder();
        out.append("Resources of the MCP server '")
                .append(server)
                .append("' (")
                .append(resources.items().size())
                .append(")");
        if (readTool != null) {
            out.append("; read one with ").append(readTool).append(" and its URI");
        }
        out.append(":\n");
        for (McpSchema.Resource r : resources.items()) {
            out.append("- ").append(r.uri()).append(" (").append(r.name());
            if (r.mimeType() != null) {
                out.append(", ").append(r.mimeType());
            }
            if (r.size() != null) {
                out.append(", ").append(r.size()).append(" bytes");
            }
            out.append(")");
            String about = r.description() != null && !r.description().isBlank() ? r.description() : r.title();
            if (about != null && !about.isBlank()) {
                out.append(": ").append(about.strip());
            }
            out.append('\n');
        }
        if (resources.cut() != null) {
            out.append("[").append(resources.cut()).append("]\n");
        }
        if (templates.failure() == null) {
            var listing = templates.listing();
            out.append("Resource templates (")
                    .append(listing.items().size())
                    .append("): fill in the {placeholders} to make the URI of a resource");
            out.append(listing.items().isEmpty() ? ".\n" : ":\n");
            for (McpSchema.ResourceTemplate t : listing.items()) {
                out.append("- ").append(t.uriTemplate()).append(" (").append(t.name());
                if (t.mimeType() != null) {
                    out.append(", ").append(t.mimeType());
                }
                out.append(")");
                String about = t.description() != null && !t.description().isBlank() ? t.description() : t.title();
                if (about != null && !about.isBlank()) {
                    out.append(": ").append(about.strip());
                }
                out.append('\n');
            }
            if (listing.cut() != null) {
                out.append("[").append(listing.cut()).append("]\n");
            }
        } else {
            out.append("Resource templates: not listed (").append(templates.failure()).append(")\n");
        }
        return out.toString().stripTrailing();
    }
}
