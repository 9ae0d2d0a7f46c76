package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between our JSON values and the plain maps and lists the SDK's records hold. */
public final class McpJson {
    private McpJson() {}

    /** The SDK's Jackson mapper, found by its service loader. */
    public static McpJsonMapper mapper() {
        return McpJsonDefaults.MAPPER;
    }

    /** A value as the SDK's records hold it: maps, lists, strings, numbers, booleans and nulls. */
    public static @Nullable Object toJava(JsonValue value) {
        return switch (value) {
            case JsonValue.JsonNull n -> null;
            case JsonValue.JsonBoolean b -> b.value();
            case JsonValue.JsonNumber n -> n.isIntegral() && n.value().abs().compareTo(LONG_MAX) <= 0
                    ? (Object) n.value().longValue()
                    : n.value();
            case JsonValue.JsonString s -> s.value();
            case JsonArray a -> {
                var list = new ArrayList<@Nullable Object>(a.items().size());
                for (JsonValue v : a.items()) {
                    list.add(toJava(v));
                }
                yield list;
            }
            case JsonObject o -> toMap(o);
        };
    }

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    public static Map<String, Object> toMap(JsonObject object) {
        var map = new LinkedHashMap<String, Object>();
        object.members().forEach((k, v) -> map.put(k, toJava(v)));
        return map;
    }

    /** The inverse of {@link #toJava}; numbers keep their exact value. */
    public static JsonValue fromJava(@Nullable Object value) {
        return switch (value) {
            case null -> JsonValue.nullValue();
            case JsonValue v -> v;
            case String s -> JsonValue.of(s);
            case Boolean b -> JsonValue.of(b.booleanValue());
            case BigDecimal d -> new JsonValue.JsonNumber(d);
            case BigInteger i -> new JsonValue.JsonNumber(new BigDecimal(i));
            case Double d when !Double.isFinite(d) -> JsonValue.nullValue();
            case Float f when !Float.isFinite(f) -> JsonValue.nullValue();
            case Double d -> new JsonValue.JsonNumber(BigDecimal.valueOf(d));
            case Float f -> new JsonValue.JsonNumber(new BigDecimal(f.toString()));
            case Number n -> JsonValue.of(n.longValue());
            case Map<?, ?> m -> {
                var b = JsonObject.builder();
                m.forEach((k, v) -> b.put(String.valueOf(k), fromJava(v)));
                yield b.build();
            }
            case Iterable<?> it -> {
                var items = new ArrayList<JsonValue>();
                it.forEach(v -> items.add(fromJava(v)));
                yield new JsonArray(items);
            }
            default -> JsonValue.of(String.valueOf(value));
        };
    }

    /** Any SDK record (structured content, resource contents) as JSON text. */
    public static String write(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        try {
            return mapper().writeValueAsString(value);
        } catch (IOException e) {
            return String.valueOf(value);
        }
    }

    /**
     * The text a model reads for a tool result: text blocks as they are, other blocks described in
     * a line, structured content as JSON when there is nothing else.
     */
    public static String text(McpSchema.CallToolResult result) {
        List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
        var parts = new ArrayList<String>(content.size());
        for (McpSchema.Content c : content) {
            parts.add(describe(c));
        }
        if (parts.isEmpty() && result.structuredContent() != null) {
            parts.add(write(result.structuredContent()));
        }
        return String.join("\n", parts);
    }

    /**
     * One content block as the model reads it: text as it is; an embedded text resource headed by its
     * URI and MIME type; an embedded binary resource, an image or audio described (URI, MIME type,
     * size), never dumped; a resource link described with its URI, which the client's
     * {@code read_resource} tool reads.
     */
    public static String describe(McpSchema.Content c) {
        return switch (c) {
            case McpSchema.TextContent t -> t.text() == null ? "" : t.text();
            case McpSchema.ImageContent i -> "[image " + i.mimeType() + ", " + base64Bytes(i.data()) + " bytes]";
            case McpSchema.AudioContent a -> "[audio " + a.mimeType() + ", " + base64Bytes(a.data()) + " bytes]";
            case McpSchema.EmbeddedResource r -> describe(r.resource());
            case McpSchema.ResourceLink l -> "[resource link " + l.uri() + " (" + l.name()
                    + (l.mimeType() == null ? "" : ", " + l.mimeType())
                    + (l.size() == null ? "" : ", " + l.size() + " bytes") + ")"
                    + (l.description() == null || l.description().isBlank() ? "" : ": " + l.description()) + "]";
            default -> "[" + c.type() + " content]";
        };
    }

    /** Resource contents: text headed by its URI and MIME type, a blob described by its URI, MIME type and size. */
    public static String describe(McpSchema.ResourceContents contents) {
        String mime = contents.mimeType() == null ? "" : ", " + contents.mimeType();
        return switch (contents) {
            case McpSchema.TextResourceContents t -> "[resource " + t.uri() + mime + "]\n"
                    + (t.text() == null ? "" : t.text());
            case McpSchema.BlobResourceContents b -> "[binary resource " + b.uri() + mime + ", "
                    + base64Bytes(b.blob()) + " bytes; not shown]";
            default -> "[resource " + contents.uri() + mime + "]";
        };
    }

    /** The number of bytes base64 {@code data} decodes to (padding counted out). */
    public static long base64Bytes(@Nullable String data) {
        if (data == null || data.isEmpty()) {
            return 0;
        }
        int end = data.length();
        while (end > 0 && Character.isWhitespace(data.charAt(end - 1))) {
            end--;
        }
        int padding = 0;
        while (padding < 2 && end - padding > 0 && data.charAt(end - padding - 1) == '=') {
            padding++;
        }
        return end * 3L / 4 - padding;
    }

    /** Holds the mapper, loaded once. */
    private static final class McpJsonDefaults {
        static final McpJsonMapper MAPPER = io.modelcontextprotocol.json.McpJsonDefaults.getMapper();
    }
}
