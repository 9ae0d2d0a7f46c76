package dev.agentrt.core.internal.provider;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;

import java.util.ArrayList;
import java.util.List;

/** Pieces of request JSON that more than one provider writes the same way. */
public final class ProviderJson {
    private ProviderJson() {}

    /** Tools in the OpenAI function form ({@code {"type":"function","function":{...}}}), which Ollama shares. */
    public static JsonArray functionTools(List<ToolSpec> specs) {
        var tools = new ArrayList<JsonValue>(specs.size());
        for (ToolSpec t : specs) {
            tools.add(JsonObject.builder()
                    .put("type", "function")
                    .put("function", JsonObject.builder()
                            .put("name", t.name())
                            .put("description", t.description())
                            .put("parameters", t.parameters())
                            .build())
                    .build());
        }
        return new JsonArray(tools);
    }

    /**
     * A tool call's arguments as the object a provider wants them sent back. Arguments the model
     * wrote malformed or cut short (the call's result already told it so) become an empty object:
     * providers and strict compatible servers refuse the whole request otherwise.
     */
    public static JsonObject argumentsObject(String arguments) {
        try {
            return JsonValue.parse(arguments) instanceof JsonObject o ? o : JsonObject.EMPTY;
        } catch (JsonParseException malformed) {
            return JsonObject.EMPTY;
        }
    }
}
