package dev.agentrt.tools.internal.binding;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * The one Jackson mapper of method tools: binds arguments, writes results and backs the schema
 * generator, so that the three agree. Enums are read and written by name (or their
 * {@code @JsonProperty}/{@code @JsonValue}), as the generated schemas list them; the core's
 * {@link JsonValue}s are read and written as the JSON they hold.
 */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(EnumFeature.READ_ENUMS_USING_TO_STRING, EnumFeature.WRITE_ENUMS_USING_TO_STRING)
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
            return type == JsonValue.class ? type.cast(JsonValue.nullValue()) : null;
        }
    }
}
