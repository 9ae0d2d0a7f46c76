package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * The one Jackson mapper of agentrt's type binding: it binds structured answers and tool arguments,
 * writes tool results and decides the enum values the generated schemas list, so that the three
 * agree. Enums are read and written by {@code name()} (or their {@code @JsonProperty}/{@code @JsonValue}),
 * not by {@code toString()}, which Jackson 3 uses by default; a {@code null} for a primitive fails
 * instead of becoming zero; the core's {@link JsonValue}s are read and written as the JSON they hold.
 * Thread-safe, as a configured Jackson mapper is.
 */
public final class Json {
    /** The mapper; never reconfigure it. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(EnumFeature.READ_ENUMS_USING_TO_STRING, EnumFeature.WRITE_ENUMS_USING_TO_STRING)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(jsonValues())
            .build();

    private Json() {}

    private static SimpleModule jsonValues() {
        var module = new SimpleModule("agentrt-json-values");
        module.addSerializer(JsonValue.class, new JsonValueSerializer());
        module.addDeserializer(JsonValue.class, new JsonValueDeserializer<>(JsonValue.class));
        module.addDeserializer(JsonObject.class, new JsonValueDeserializer<>(JsonObject.class));
        module.addDeserializer(JsonArray.class, new JsonValueDeserializer<>(JsonArray.class));
        return module;
    }

    private static final class JsonValueSerializer extends ValueSerializer<JsonValue> {
        @Override
        public void serialize(JsonValue value, JsonGenerator gen, SerializationContext ctxt) throws JacksonException {
            gen.writeRawValue(value.toJson());
        }
    }

    private static final class JsonValueDeserializer<T extends JsonValue> extends ValueDeserializer<T> {
        private final Class<T> type;

        JsonValueDeserializer(Class<T> type) {
            this.type = type;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
            String text = ctxt.readTree(p).toString();
            JsonValue value;
            try {
                value = JsonValue.parse(text);
            } catch (JsonParseException e) {
                return type.cast(ctxt.handleWeirdStringValue(type, text, e.getMessage()));
            }
            if (!type.isInstance(value)) {
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            }
            return type.cast(value);
        }

        @Override
        public @Nullable T getNullValue(DeserializationContext ctxt) {
            // JSON null is a value of JsonValue (the JSON it holds), not the absence of one.
            return type == JsonValue.class ? type.cast(JsonValue.nullValue()) : null;
        }
    }
}
