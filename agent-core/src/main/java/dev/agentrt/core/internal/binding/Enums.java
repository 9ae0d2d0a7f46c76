package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonValue;
import tools.jackson.core.JacksonException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The strings an enum's constants are written as by the one mapper ({@link Json#MAPPER}): the
 * constant's {@code name()}, or its {@code @JsonProperty} or {@code @JsonValue}. The schema lists
 * exactly what the mapper writes and therefore reads, whatever {@code toString()} returns.
 */
final class Enums {
    private Enums() {}

    /**
     * @return the values, in declaration order
     * @throws IllegalArgumentException if a constant is not written as a string, or two as the same one
     */
    static List<String> values(Class<?> type) {
        var values = new LinkedHashSet<String>();
        for (Object constant : type.getEnumConstants()) {
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(constant);
            } catch (JacksonException e) {
                throw new IllegalArgumentException(type.getTypeName() + " is not supported: its constant "
                        + constant + " cannot be written as JSON: " + e.getOriginalMessage(), e);
            }
            if (!(JsonValue.parse(json) instanceof JsonValue.JsonString(String text))) {
                throw new IllegalArgumentException(type.getTypeName() + " is not supported: its constant " + constant
                        + " is written as " + json + ", not as a string");
            }
            if (!values.add(text)) {
                throw new IllegalArgumentException(type.getTypeName() + " is not supported: two constants are"
                        + " written as \"" + text + "\"");
            }
        }
        return List.copyOf(new ArrayList<>(values));
    }
}
