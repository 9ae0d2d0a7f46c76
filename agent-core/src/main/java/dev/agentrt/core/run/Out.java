package dev.agentrt.core.run;

import static dev.agentrt.core.run.Json.array;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds the JSON object of one value, refusing a {@code null} where the component is not
 * nullable (records that do not check their components could otherwise write what can never
 * be read back).
 */
final class Out {
    private final JsonObject.Builder builder = JsonObject.builder();
    private final String path;

    private Out(String path) {
        this.path = path;
    }

    static Out tagged(String type) {
        Out out = new Out(type);
        out.builder.put("type", type);
        return out;
    }

    static Out record(String path) {
        return new Out(path);
    }

    Out string(String name, String value) {
        return put(name, JsonValue.of(required(name, value)));
    }

    Out nullableString(String name, @Nullable String value) {
        return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value));
    }

    /** A string written only when it is not null (added to the format later; readers treat absence as null). */
    Out optionalString(String name, @Nullable String value) {
        return value == null ? this : string(name, value);
    }

    Out integer(String name, long value) {
        return put(name, JsonValue.of(value));
    }

    /** A count written only when it is not 0 (added to the format later; readers treat absence as 0). */
    Out optionalInteger(String name, long value) {
        return value == 0 ? this : integer(name, value);
    }

    Out nullableInteger(String name, @Nullable Integer value) {
        return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value.longValue()));
    }

    Out number(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(
                    "cannot write " + path + "." + name + ": JSON has no representation for " + value);
        }
        return put(name, JsonValue.of(value));
    }

    Out nullableNumber(String name, @Nullable Double value) {
        return value == null ? put(name, JsonValue.nullValue()) : number(name, value);
    }

    Out bool(String name, boolean value) {
        return put(name, JsonValue.of(value));
    }

    Out name(String name, Enum<?> value) {
        return put(name, JsonValue.of(required(name, value).name()));
    }

    Out nullableName(String name, @Nullable Enum<?> value) {
        return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value.name()));
    }

    Out path(String name, Path value) {
        return put(name, JsonValue.of(required(name, value).toString()));
    }

    <T> Out object(String name, T value, Function<? super T, ? extends JsonValue> write) {
        return put(name, write.apply(required(name, value)));
    }

    /** A member written only when there is a value (added to the format later; readers treat absence as null). */
    <T> Out optional(String name, @Nullable T value, Function<? super T, ? extends JsonValue> write) {
        return value == null ? this : put(name, write.apply(value));
    }

    /** A list written only when it has items (added to the format later; readers treat absence as empty). */
    <T> Out optionalList(String name, List<T> items, Function<? super T, ? extends JsonValue> write) {
        return required(name, items).isEmpty() ? this : put(name, array(items, write));
    }

    <T> Out list(String name, List<T> items, Function<? super T, ? extends JsonValue> write) {
        return put(name, array(required(name, items), write));
    }

    JsonObject build() {
        return builder.build();
    }

    private Out put(String name, JsonValue value) {
        builder.put(name, value);
        return this;
    }

    private <T> T required(String name, @Nullable T value) {
        if (value == null) {
            throw new NullPointerException("cannot write " + path + "." + name + ": it is null");
        }
        return value;
    }
}
