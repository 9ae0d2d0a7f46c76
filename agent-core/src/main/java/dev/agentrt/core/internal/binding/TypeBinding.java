package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.json.TypeSchema.Mode;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * A Java type with its JSON Schema (from {@link TypeSchema}), that schema compiled, and the reader
 * that binds JSON valid against it to the type with the one mapper ({@link Json#MAPPER}): the one
 * service behind structured output, {@code Tool.builder(name).parameters(MyRecord.class)} and the
 * record parameters of {@code @ToolMethod} methods. Immutable and thread-safe; the binding of a
 * {@link Class} is made once per mode and cached.
 */
public final class TypeBinding {
    private static final ClassValue<TypeBinding> STRICT = cache(Mode.STRICT);
    private static final ClassValue<TypeBinding> LENIENT = cache(Mode.LENIENT);

    private final Type type;
    private final Mode mode;
    private final JsonObject schema;
    private final JsonSchema compiled;
    private final Reader reader;

    private TypeBinding(Type type, Mode mode) {
        this.type = type;
        this.mode = mode;
        this.schema = TypeSchema.of(type, mode);
        this.compiled = JsonSchema.compile(schema);
        this.reader = Readers.forType(type);
    }

    /**
     * The binding of {@code type}, an object type, in {@code mode}.
     *
     * @throws IllegalArgumentException if the type cannot be described in that mode
     */
    public static TypeBinding of(Type type, Mode mode) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
        if (type instanceof Class<?> c) {
            return (mode == Mode.STRICT ? STRICT : LENIENT).get(c);
        }
        return new TypeBinding(type, mode);
    }

    public Type type() {
        return type;
    }

    public Mode mode() {
        return mode;
    }

    public JsonObject schema() {
        return schema;
    }

    /** The problems of {@code json} against the schema, each with its JSON path; empty when valid. */
    public List<String> validate(JsonValue json) {
        return compiled.validate(json);
    }

    /**
     * {@code json}, already valid against the schema, as a value of the type.
     *
     * @throws BindingException when it does not map to the type (a date that does not parse, a value
     *         out of range...); the message is for the model
     */
    public Object bind(JsonValue json) {
        Object value = json == JsonValue.nullValue() ? null : reader.read(json);
        if (value == null) {
            throw new BindingException("the value is null");
        }
        return value;
    }

    /**
     * {@code json} validated, then bound.
     *
     * @throws BindingException listing the schema's violations, or why the JSON does not map to the type
     */
    public Object read(JsonValue json) {
        List<String> violations = validate(json);
        if (!violations.isEmpty()) {
            throw new BindingException(String.join("; ", violations));
        }
        return bind(json);
    }

    private static ClassValue<TypeBinding> cache(Mode mode) {
        return new ClassValue<>() {
            @Override
            protected TypeBinding computeValue(Class<?> type) {
                return new TypeBinding(type, mode);
            }
        };
    }
}
