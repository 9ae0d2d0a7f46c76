package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standard headers a 2026-07-28 request carries over streamable HTTP besides its body: the protocol version,
 * {@code Mcp-Method}, and {@code Mcp-Name} (the tool or prompt name, or the resource URI) for the methods that
 * name something; a value that is not plain printable ASCII goes as {@code =?base64?...?=}. A request without
 * the 2026-07-28 envelope in its {@code _meta} gets none (the older revisions know only the version header).
 */
final class ModernHeaders {
    private ModernHeaders() {}

    static Map<String, String> of(McpSchema.JSONRPCMessage message) {
        if (!(message instanceof McpSchema.JSONRPCRequest r) || !(r.params() instanceof Map<?, ?> params)
                || !(params.get("_meta") instanceof Map<?, ?> meta)
                || !(meta.get(ModernRequester.META_VERSION) instanceof String version)) {
            return Map.of();
        }
        var headers = new LinkedHashMap<String, String>();
        headers.put("MCP-Protocol-Version", version);
        headers.put("Mcp-Method", r.method());
        Object name = switch (r.method()) {
            case McpSchema.METHOD_TOOLS_CALL, McpSchema.METHOD_PROMPT_GET -> params.get("name");
            case McpSchema.METHOD_RESOURCES_READ -> params.get("uri");
            default -> null;
        };
        if (name instanceof String value) {
            headers.put("Mcp-Name", encode(value));
        }
        return headers;
    }

    private static String encode(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)
                && value.strip().equals(value) && !value.startsWith("=?");
        return plain
                ? value
                : "=?base64?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }
}
