package dev.agentrt.core.json;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes {@link JsonValue}s with Jackson's streaming API. One shared factory with a
 * pooled (not thread-local) buffer recycler: thousands of virtual threads must not each pin a
 * set of Jackson buffers.
 */
final class JsonCodec {
    /** Hostile input guard: a model or tool may send anything. */
    static final int MAX_DEPTH = 200;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(64 * 1024 * 1024)
                    .maxNumberLength(1000)
                    .build())
            // Duplicate names are detected while building the object (cheaper than Jackson's detector), and
            // tool-argument names are too few to gain from a canonicalising symbol table.
            .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
            .build();

    private JsonCodec() {}

    static JsonValue parse(String text) {
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonParseException("empty JSON input");
            }
            JsonValue value = read(p, first);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new JsonParseException("unexpected content after the JSON value at column "
                        + p.currentLocation().getColumnNr());
            }
            return value;
        } catch (JacksonException e) {
            throw new JsonParseException("malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonValue read(JsonParser p, JsonToken token) {
        return switch (token) {
            case START_OBJECT -> {
                var members = new LinkedHashMap<String, JsonValue>();
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                    String name = p.currentName();
                    if (members.put(name, read(p, p.nextToken())) != null) {
                        throw new JsonParseException("malformed JSON: duplicate property \"" + clip(name) + "\"");
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new JsonParseException("unterminated JSON object");
                }
                yield members.isEmpty() ? JsonObject.EMPTY : new JsonObject(FrozenMap.owning(members));
            }
            case START_ARRAY -> {
                var items = new ArrayList<JsonValue>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new JsonParseException("unterminated JSON array");
                    }
                    items.add(read(p, t));
                }
                yield items.isEmpty() ? JsonArray.EMPTY : new JsonArray(items);
            }
            case VALUE_STRING -> new JsonValue.JsonString(p.getString());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT, LONG -> JsonValue.of(p.getLongValue());
                default -> new JsonValue.JsonNumber(new BigDecimal(p.getBigIntegerValue()));
            };
            case VALUE_NUMBER_FLOAT -> new JsonValue.JsonNumber(p.getDecimalValue());
            case VALUE_TRUE -> JsonValue.JsonBoolean.TRUE;
            case VALUE_FALSE -> JsonValue.JsonBoolean.FALSE;
            case VALUE_NULL -> JsonValue.JsonNull.INSTANCE;
            default -> throw new JsonParseException("unexpected JSON token " + token);
        };
    }

    static String write(JsonValue value) {
        var out = new StringWriter(64);
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
            write(g, value);
        }
        return out.toString();
    }

    static void write(JsonGenerator g, JsonValue value) {
        switch (value) {
            case JsonObject o -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                    g.writeName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case JsonArray a -> {
                g.writeStartArray();
                for (JsonValue item : a.items()) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            case JsonValue.JsonString s -> g.writeString(s.value());
            case JsonValue.JsonNumber n -> {
                if (n.isIntegral() && n.value().abs().compareTo(LONG_MAX) <= 0) {
                    g.writeNumber(n.value().longValue());
                } else {
                    g.writeNumber(n.value());
                }
            }
            case JsonValue.JsonBoolean b -> g.writeBoolean(b.value());
            case JsonValue.JsonNull n -> g.writeNull();
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
}
