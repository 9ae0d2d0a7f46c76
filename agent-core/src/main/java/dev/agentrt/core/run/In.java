package dev.agentrt.core.run;

import static dev.agentrt.core.run.Json.excerpt;
import static dev.agentrt.core.run.Json.expected;
import static dev.agentrt.core.run.Json.fail;

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

/** Reads the members of one JSON object; every failure names the member's path. */
final class In {
    final JsonObject object;
    private final String path;
    private final String where;
    private final String type;

    private In(JsonObject object, String path, String where, String type) {
        this.object = object;
        this.path = path;
        this.where = where;
        this.type = type;
    }

    /** A plain record at {@code path}. */
    static In record(JsonValue json, String path) {
        if (json instanceof JsonObject o) {
            return new In(o, path, path, "");
        }
        throw expected(path, "object", json);
    }

    /**
     * A member of a closed family, with a {@code "type"}. At the top ({@code path} empty) the
     * family names the value itself and the type names its members: {@code message: unknown
     * type "robot"}, {@code user.text: missing}.
     */
    static In tagged(JsonValue json, String path, String family) {
        String where = path.isEmpty() ? family : path;
        if (!(json instanceof JsonObject o)) {
            throw expected(where, "object", json);
        }
        String type = new In(o, where, where, "").string("type");
        return new In(o, path.isEmpty() ? type : path, where, type);
    }

    String type() {
        return type;
    }

    JsonParseException unknownType() {
        return fail(where, "unknown type " + excerpt(type));
    }

    /**
     * Runs a constructor, turning its validation failure ({@code Usage} counts, a tool name,
     * a port...) into a parse error for this value.
     */
    <T> T create(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            String problem = String.valueOf(e.getMessage());
            throw new JsonParseException(
                    path + ": " + (problem.length() <= 200 ? problem : problem.substring(0, 200) + "..."), e);
        }
    }

    String string(String name) {
        return Json.string(required(name), at(name));
    }

    @Nullable
    String nullableString(String name) {
        JsonValue value = required(name);
        return value instanceof JsonValue.JsonNull ? null : Json.string(value, at(name));
    }

    /** A string member added to the format later: absent (or null) reads as null. */
    @Nullable
    String optionalString(String name) {
        JsonValue value = object.get(name);
        return value == null || value instanceof JsonValue.JsonNull ? null : Json.string(value, at(name));
    }

    /** A boolean member added to the format later: absent (or null) reads as false. */
    boolean optionalBool(String name) {
        JsonValue value = object.get(name);
        return value != null && !(value instanceof JsonValue.JsonNull) && bool(name);
    }

    boolean bool(String name) {
        JsonValue value = required(name);
        if (value instanceof JsonValue.JsonBoolean b) {
            return b.value();
        }
        throw expected(at(name), "boolean", value);
    }

    /** A count added to the format later: absent (or null) reads as 0. */
    long optionalInt64(String name) {
        JsonValue value = object.get(name);
        return value == null || value instanceof JsonValue.JsonNull ? 0 : int64(name);
    }

    long int64(String name) {
        JsonValue value = required(name);
        if (value instanceof JsonValue.JsonNumber n && n.isIntegral()) {
            try {
                return n.value().longValueExact();
            } catch (ArithmeticException e) {
                throw fail(at(name), "integer out of range");
            }
        }
        throw expected(at(name), "integer", value);
    }

    int int32(String name) {
        long value = int64(name);
        if (value != (int) value) {
            throw fail(at(name), "integer out of range");
        }
        return (int) value;
    }

    @Nullable
    Integer nullableInt32(String name) {
        return required(name) instanceof JsonValue.JsonNull ? null : int32(name);
    }

    double number(String name) {
        JsonValue value = required(name);
        if (value instanceof JsonValue.JsonNumber n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw fail(at(name), "number out of range");
            }
            return d;
        }
        throw expected(at(name), "number", value);
    }

    @Nullable
    Double nullableNumber(String name) {
        return required(name) instanceof JsonValue.JsonNull ? null : number(name);
    }

    <E extends Enum<E>> E enumValue(String name, Class<E> type) {
        String value = string(name);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        throw fail(at(name), "unknown value " + excerpt(value));
    }

    <E extends Enum<E>> @Nullable E nullableEnumValue(String name, Class<E> type) {
        return required(name) instanceof JsonValue.JsonNull ? null : enumValue(name, type);
    }

    Path path(String name) {
        try {
            return Path.of(string(name));
        } catch (InvalidPathException e) {
            throw new JsonParseException(at(name) + ": not a path: " + e.getReason(), e);
        }
    }

    <T> T object(String name, BiFunction<JsonValue, String, T> read) {
        return read.apply(required(name), at(name));
    }

    <T> List<T> list(String name, BiFunction<JsonValue, String, T> read) {
        return Json.list(required(name), at(name), read);
    }

    /** A list that journals written before it existed lack: missing or null both read as empty. */
    <T> List<T> optionalList(String name, BiFunction<JsonValue, String, T> read) {
        JsonValue value = object.get(name);
        return value == null || value instanceof JsonValue.JsonNull ? List.of() : Json.list(value, at(name), read);
    }

    /** A member that journals written before it existed lack: missing or null both read as null. */
    <T> @Nullable T optionalObject(String name, BiFunction<JsonValue, String, T> read) {
        JsonValue value = object.get(name);
        return value == null || value instanceof JsonValue.JsonNull ? null : read.apply(value, at(name));
    }

    private JsonValue required(String name) {
        JsonValue value = object.get(name);
        if (value == null) {
            throw fail(at(name), "missing");
        }
        return value;
    }

    private String at(String name) {
        return path + "." + name;
    }
}
