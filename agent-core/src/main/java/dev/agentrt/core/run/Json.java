package dev.agentrt.core.run;

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

/** Shared reading and writing steps; every failure names the place in the document. */
final class Json {
    private static final int EXCERPT = 40;

    private Json() {}

    static String string(JsonValue json, String path) {
        if (json instanceof JsonValue.JsonString(String value)) {
            return value;
        }
        throw expected(path, "string", json);
    }

    static JsonValue parse(String json, String what) {
        Objects.requireNonNull(json, "json");
        try {
            return JsonValue.parse(json);
        } catch (JsonParseException e) {
            throw new JsonParseException(what + ": " + e.getMessage(), e);
        }
    }

    static <T> JsonArray array(List<T> items, Function<? super T, ? extends JsonValue> write) {
        var values = new ArrayList<JsonValue>(items.size());
        for (T item : items) {
            values.add(write.apply(item));
        }
        return new JsonArray(values);
    }

    static <T> List<T> list(JsonValue json, String path, BiFunction<JsonValue, String, T> read) {
        if (!(json instanceof JsonArray array)) {
            throw expected(path, "array", json);
        }
        var items = new ArrayList<T>(array.size());
        for (int i = 0; i < array.size(); i++) {
            items.add(read.apply(array.get(i), path + "[" + i + "]"));
        }
        return items;
    }

    static JsonParseException fail(String path, String problem) {
        return new JsonParseException(path + ": " + problem);
    }

    static JsonParseException expected(String path, String type, JsonValue actual) {
        return fail(path, "expected " + type + ", got " + actual.typeName());
    }

    /** A short, quoted and escaped piece of untrusted text for an error message. */
    static String excerpt(String text) {
        if (text.length() <= EXCERPT) {
            return JsonValue.of(text).toJson();
        }
        int end = Character.isHighSurrogate(text.charAt(EXCERPT - 1)) ? EXCERPT - 1 : EXCERPT;
        return JsonValue.of(text.substring(0, end) + "...").toJson();
    }
}
