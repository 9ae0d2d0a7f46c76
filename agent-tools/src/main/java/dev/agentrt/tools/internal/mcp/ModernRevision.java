package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.ProtocolVersions;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The 2026-07-28 revision of MCP on the server side, which the SDK does not speak: no initialize handshake, every
 * request carries its protocol version and the client's capabilities (and, optionally, identity) in {@code
 * params._meta}, {@code server/discover} tells a client what the server offers, and every result says {@code
 * "resultType": "complete"} (the list and read results also {@code ttlMs} and {@code cacheScope}). The transports
 * recognise such a request by its envelope and use this class to check it, to answer {@code server/discover}, to
 * give the SDK's server the initialize request it needs before it answers anything, and to put the SDK's (2025-era)
 * results in the 2026-07-28 form. A connection or request without the envelope is served exactly as before.
 *
 * <p>The server makes no requests of its client (no sampling or roots); a served tool's question ({@link
 * ServedQuestions}) is the one {@code input_required} result it gives, an elicitation embedded. It serves {@code subscriptions/listen} ({@link ServedListens}) for resource
 * updates and tool and prompt list changes, so {@code server/discover} declares {@code resources.subscribe} when
 * the server serves resources, {@code tools.listChanged}, {@code prompts.listChanged} when it serves prompts, and
 * never {@code resources.listChanged} (its resources are fixed when it is built). Stateless and
 * thread-safe.
 */
final class ModernRevision {
    static final String VERSION = "2026-07-28";
    /** The revisions served without a handshake: an envelope naming any other gets {@link #UNSUPPORTED_VERSION}. */
    static final List<String> VERSIONS = List.of(VERSION);
    static final String DISCOVER = "server/discover";
    static final String PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion";
    static final String CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo";
    static final String CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";
    static final String SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo";
    /** The revision's error for a protocol version the server does not speak; its data names the supported ones. */
    static final int UNSUPPORTED_VERSION = -32022;
    /** The revision's error for HTTP headers that disagree with the body they travel with. */
    static final int HEADER_MISMATCH = -32020;
    /** How a header value that is not plain printable ASCII is sent: {@code =?base64?<UTF-8, Base64>?=}. */
    private static final String SENTINEL_START = "=?base64?";
    private static final String SENTINEL_END = "?=";
    /** The results a client may cache, which must say for how long and for whom. */
    private static final Set<String> CACHEABLE = Set.of("tools/list", "prompts/list", "resources/list",
            "resources/templates/list", "resources/read", DISCOVER);
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};

    private ModernRevision() {}

    /**
     * What the server tells a client in {@code server/discover} and in each result's {@code _meta}.
     *
     * @param extensions the extensions declared in {@code capabilities.extensions}, by identifier (none: no such
     *     field)
     */
    record Server(String name, String version, McpSchema.ServerCapabilities capabilities,
            Map<String, Object> extensions) {
        Server {
            extensions = Map.copyOf(extensions);
        }

        Server(String name, String version, McpSchema.ServerCapabilities capabilities) {
            this(name, version, capabilities, Map.of());
        }
    }

    /** What a request's envelope said, or why it is refused. */
    sealed interface Verdict {}

    /**
     * An envelope the server accepts.
     *
     * @param clientInfo the client's {@code name} and {@code version}, or null when it sent none
     * @param clientCapabilities as the client declared them for this request
     */
    record Accepted(String version, @Nullable Map<String, Object> clientInfo, Map<String, Object> clientCapabilities)
            implements
                Verdict {}

    /** A JSON-RPC error to answer the request with. */
    record Refused(int code, String message, @Nullable Object data) implements Verdict {
        /** The JSON-RPC error response refusing the request {@code id} (a JSON value as Java objects, or null). */
        Map<String, @Nullable Object> response(@Nullable Object id) {
            var error = new LinkedHashMap<String, @Nullable Object>();
            error.put("code", code);
            error.put("message", message);
            if (data != null) {
                error.put("data", data);
            }
            var m = new LinkedHashMap<String, @Nullable Object>();
            m.put("jsonrpc", "2.0");
            m.put("id", id);
            m.put("error", error);
            return m;
        }
    }

    /**
     * Whether {@code params} claim the 2026-07-28 revision: an object whose {@code _meta} has the protocol version
     * key, well formed or not (a malformed claim is refused by {@link #check}, not served as a 2025 request).
     */
    static boolean claims(@Nullable Object params) {
        return params instanceof Map<?, ?> p && p.get("_meta") instanceof Map<?, ?> meta
                && meta.containsKey(PROTOCOL_VERSION_KEY);
    }

    /** Whether an {@code MCP-Protocol-Version} header value names a revision of the handshake-free era. */
    static boolean modernHeader(@Nullable String version) {
        if (version == null) {
            return false;
        }
        String v = version.trim();
        // Revisions are dates, so they order as strings; anything else is no revision of either era.
        return v.matches("\\d{4}-\\d{2}-\\d{2}") && v.compareTo(VERSION) >= 0;
    }

    /** Checks the envelope of a request that {@linkplain #claims claims} the revision (or came with its header). */
    static Verdict check(@Nullable Object params) {
        Map<?, ?> meta = params instanceof Map<?, ?> p && p.get("_meta") instanceof Map<?, ?> m ? m : null;
        List<String> missing = new ArrayList<>();
        if (meta == null || !meta.containsKey(PROTOCOL_VERSION_KEY)) {
            missing.add(PROTOCOL_VERSION_KEY);
        }
        if (meta == null || !meta.containsKey(CLIENT_CAPABILITIES_KEY)) {
            missing.add(CLIENT_CAPABILITIES_KEY);
        }
        if (!missing.isEmpty()) {
            return new Refused(ErrorCodes.INVALID_PARAMS, "Invalid params: a " + VERSION
                    + " request carries params._meta with " + PROTOCOL_VERSION_KEY + " and " + CLIENT_CAPABILITIES_KEY
                    + "; missing: " + String.join(", ", missing), Map.of("envelope", Map.of("missing", missing)));
        }
        if (!(meta.get(PROTOCOL_VERSION_KEY) instanceof String version)) {
            return invalid(PROTOCOL_VERSION_KEY, "expected a protocol version string");
        }
        if (!VERSIONS.contains(version)) {
            return unsupported(version);
        }
        if (!(meta.get(CLIENT_CAPABILITIES_KEY) instanceof Map<?, ?> capabilities)) {
            return invalid(CLIENT_CAPABILITIES_KEY, "expected an object");
        }
        Object info = meta.get(CLIENT_INFO_KEY);
        if (info != null && !(info instanceof Map<?, ?> i && i.get("name") instanceof String
                && i.get("version") instanceof String)) {
            return invalid(CLIENT_INFO_KEY, "expected an object with a string name and version");
        }
        return new Accepted(version, info == null ? null : stringKeys((Map<?, ?>) info), stringKeys(capabilities));
    }

    /** The error for a protocol version this server does not speak, naming the ones it does. */
    static Refused unsupported(String requested) {
        var data = new LinkedHashMap<String, Object>();
        data.put("supported", VERSIONS);
        data.put("requested", requested);
        return new Refused(UNSUPPORTED_VERSION, "Unsupported protocol version: " + requested + "; this server speaks "
                + VERSION + " per request, and " + String.join(", ", ProtocolVersions.MCP_2025_11_25,
                        ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_03_26)
                + " through the initialize handshake", data);
    }

    private static Refused invalid(String key, String problem) {
        return new Refused(ErrorCodes.INVALID_PARAMS, "Invalid params: invalid _meta envelope for protocol revision "
                + VERSION + ": " + key + ": " + problem, Map.of("envelope", Map.of("key", key, "problem", problem)));
    }

    /**
     * What the {@code Mcp-Name} header of a request for {@code method} must stand for: the {@code name} of a {@code
     * tools/call} or {@code prompts/get}, the {@code uri} of a {@code resources/read}, the {@code taskId} of a {@code
     * tasks/get}, {@code tasks/update} or {@code tasks/cancel} (the empty string when the body has none); empty for
     * the methods that have no such header.
     */
    static Optional<String> named(String method, @Nullable Object params) {
        String field = switch (method) {
            case McpSchema.METHOD_TOOLS_CALL, McpSchema.METHOD_PROMPT_GET -> "name";
            case McpSchema.METHOD_RESOURCES_READ -> "uri";
            // the io.modelcontextprotocol/tasks extension's binding names the task, as the v2 TypeScript SDK has it
            case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId";
            default -> null;
        };
        if (field == null) {
            return Optional.empty();
        }
        Object value = params instanceof Map<?, ?> p ? p.get(field) : null;
        return Optional.ofNullable(value instanceof String s ? s : "");
    }

    /**
     * The value a header that may carry the Base64 sentinel ({@code Mcp-Name}, {@code Mcp-Param-*}) stands for: the
     * value itself when it is plain (visible ASCII, space, tab), the UTF-8 text of {@code =?base64?...?=}; null when
     * it is neither (other characters, or a sentinel that is not Base64 of UTF-8), which the revision refuses.
     */
    static @Nullable String headerValue(String raw) {
        if (raw.length() >= SENTINEL_START.length() + SENTINEL_END.length() && raw.startsWith(SENTINEL_START)
                && raw.endsWith(SENTINEL_END)) {
            try {
                byte[] bytes = Base64.getDecoder()
                        .decode(raw.substring(SENTINEL_START.length(), raw.length() - SENTINEL_END.length()));
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (IllegalArgumentException | CharacterCodingException e) {
                return null;
            }
        }
        return raw.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f)) ? raw : null;
    }

    /** The error for {@code initialize} carrying the envelope: the revision has no handshake. */
    static Refused noHandshake() {
        return new Refused(ErrorCodes.METHOD_NOT_FOUND, "Method not found: initialize is not part of protocol revision "
                + VERSION + " (send server/discover, or initialize without the per-request _meta envelope)", null);
    }

    /**
     * The initialize request the SDK's server needs before it serves a request: the newest revision the SDK speaks,
     * with the client's identity and capabilities from the envelope.
     */
    static McpSchema.InitializeRequest initialize(Accepted accepted, McpJsonMapper json) {
        Map<String, Object> info = accepted.clientInfo();
        var client = info == null
                ? McpSchema.Implementation.builder("unnamed-client", "unknown").build()
                : McpSchema.Implementation.builder((String) info.get("name"), (String) info.get("version")).build();
        McpSchema.ClientCapabilities capabilities;
        try {
            capabilities = json.convertValue(accepted.clientCapabilities(), McpSchema.ClientCapabilities.class);
        } catch (RuntimeException e) {
            // Capabilities of the new revision the SDK has no field for: the server asks nothing of its client.
            capabilities = McpSchema.ClientCapabilities.builder().build();
        }
        return McpSchema.InitializeRequest.builder(ProtocolVersions.MCP_2025_11_25, capabilities, client).build();
    }

    /** The answer to {@code server/discover}. */
    static Map<String, Object> discover(Server server, McpJsonMapper json) {
        var result = new LinkedHashMap<String, Object>();
        result.put("supportedVersions", VERSIONS);
        Map<String, Object> capabilities = capabilities(server.capabilities(), json);
        if (!server.extensions().isEmpty()) {
            capabilities.put("extensions", server.extensions());
        }
        result.put("capabilities", capabilities);
        return complete(DISCOVER, result, server);
    }

    /**
     * The server's capabilities as this revision has them: {@code subscribe} as given (resource updates come on a
     * {@code subscriptions/listen}), {@code tools.listChanged} and {@code prompts.listChanged} as given (their
     * list changes come on one too), no {@code resources.listChanged}, which this server never sends.
     */
    private static Map<String, Object> capabilities(McpSchema.ServerCapabilities capabilities, McpJsonMapper json) {
        Map<String, Object> map = new LinkedHashMap<>(json.convertValue(capabilities, MAP));
        for (String kind : List.of("resources")) {
            if (map.get(kind) instanceof Map<?, ?> c) {
                Map<String, Object> copy = stringKeys(c);
                copy.remove("listChanged");
                map.put(kind, copy);
            }
        }
        return map;
    }

    /** The SDK's response to a request for {@code method} in this revision's form; an error is left as it is. */
    static McpSchema.JSONRPCResponse shape(String method, McpSchema.JSONRPCResponse response, Server server,
            McpJsonMapper json) {
        if (response.error() != null || response.result() == null) {
            return response;
        }
        Map<String, Object> result = new LinkedHashMap<>(json.convertValue(response.result(), MAP));
        if (result.get("_meta") instanceof Map<?, ?> m && m.get(ServedQuestions.PENDING) instanceof Map<?, ?> asked) {
            // A served tool asked a question (McpServerBridge): the call is answered input_required, nothing else.
            Map<String, Object> meta = stringKeys(m);
            meta.remove(ServedQuestions.PENDING);
            result = stringKeys(asked);
            result.put("resultType", "input_required");
            if (!meta.isEmpty()) {
                result.put("_meta", meta);
            }
        }
        return new McpSchema.JSONRPCResponse(response.jsonrpc(), response.id(), complete(method, result, server),
                null);
    }

    private static Map<String, Object> complete(String method, Map<String, Object> result, Server server) {
        result.putIfAbsent("resultType", "complete");
        if (CACHEABLE.contains(method)) {
            // Nothing the server lists stays fixed for any promised time, and lists may differ by grant: not shared.
            result.putIfAbsent("ttlMs", 0);
            result.putIfAbsent("cacheScope", "private");
        }
        Map<String, Object> meta = result.get("_meta") instanceof Map<?, ?> m
                ? stringKeys(m)
                : new LinkedHashMap<>();
        meta.putIfAbsent(SERVER_INFO_KEY, Map.of("name", server.name(), "version", server.version()));
        result.put("_meta", meta);
        return result;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        var copy = new LinkedHashMap<String, Object>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }
}
