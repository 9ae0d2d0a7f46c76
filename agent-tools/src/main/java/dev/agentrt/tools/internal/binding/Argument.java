package dev.agentrt.tools.internal.binding;

import dev.agentrt.core.internal.binding.BindingException;
import dev.agentrt.core.internal.binding.Reader;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolContext;
import org.jspecify.annotations.Nullable;

/** How one parameter of a tool method gets its value for a call. Immutable. */
abstract sealed class Argument permits Argument.Context, Argument.FromJson {
    /** @throws BindingException when the value cannot be bound; the message is for the model */
    abstract @Nullable Object value(JsonObject arguments, @Nullable ToolContext context);

    /** A {@link ToolContext} parameter: the call's context. */
    static final class Context extends Argument {
        static final Context INSTANCE = new Context();

        private Context() {}

        @Override
        @Nullable
        Object value(JsonObject arguments, @Nullable ToolContext context) {
            return context;
        }
    }

    /** A parameter read from the member {@code name} of the arguments object. */
    static final class FromJson extends Argument {
        private final String name;
        private final Reader reader;
        private final boolean required;
        /** What a left-out or {@code null} optional parameter receives: {@code null} or an empty optional. */
        private final @Nullable Object absent;
        /** Whether JSON {@code null} is a value of the type (a {@code JsonValue} parameter), not an absence. */
        private final boolean nullIsValue;

        FromJson(String name, Reader reader, boolean required, @Nullable Object absent, boolean nullIsValue) {
            this.name = name;
            this.reader = reader;
            this.required = required;
            this.absent = absent;
            this.nullIsValue = nullIsValue;
        }

        String name() {
            return name;
        }

        @Override
        @Nullable
        Object value(JsonObject arguments, @Nullable ToolContext context) {
            JsonValue v = arguments.get(name);
            if (v == null || (v == JsonValue.JsonNull.INSTANCE && !nullIsValue)) {
                if (required) {
                    throw new BindingException(v == null
                            ? "missing required parameter \"" + name + "\""
                            : "parameter \"" + name + "\" must not be null");
                }
                return absent;
            }
            try {
                return reader.read(v);
            } catch (BindingException e) {
                throw new BindingException("parameter \"" + name + "\": " + e.getMessage());
            }
        }
    }
}
