package dev.agentrt.core.json;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.internal.binding.SchemaGenerator;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * JSON Schemas generated from Java types: the one path from a type to the schema a model is given,
 * used for structured output ({@code task.returning(Invoice.class)}), for hand-built tools
 * ({@code Tool.builder(name).parameters(MyRecord.class)}) and for {@code @ToolMethod} methods in
 * agent-tools. JSON valid against a schema is read back into the type by the same mapping.
 *
 * <pre>{@code
 * record Invoice(String number, LocalDate issued, List<Line> lines, @Nullable String note) {}
 * record Line(String product, int quantity, BigDecimal price) {}
 *
 * JsonObject schema = TypeSchema.of(Invoice.class);
 * // {"type":"object",
 * //  "properties":{"number":{"type":"string"}, "issued":{"type":"string","format":"date"},
 * //                "lines":{"type":"array","items":{"type":"object","properties":{...},...}},
 * //                "note":{"type":["string","null"]}},
 * //  "required":["number","issued","lines","note"], "additionalProperties":false}
 * JsonObject lenient = TypeSchema.of(Invoice.class, TypeSchema.Mode.LENIENT);
 * // the same, with "required":["number","issued","lines"]
 * }</pre>
 *
 * <h2>Modes</h2>
 * <ul>
 * <li>{@link Mode#STRICT} (structured output; {@link #of(Type)}): what the strictest structured-output
 * mode of the providers accepts (OpenAI's {@code "strict": true}). Every object lists all its
 * properties in {@code required}; a property that may be absent is required all the same and admits
 * {@code null}. Maps and the core's JSON values are rejected, because no strict keyword describes them.
 * The only keywords are {@code type}, {@code properties}, {@code required},
 * {@code additionalProperties}, {@code items}, {@code enum}, {@code anyOf}, {@code format},
 * {@code $defs}, {@code $ref} and {@code description}.
 * <li>{@link Mode#LENIENT} (tool arguments): as strict, except that a property that may be absent is
 * not {@code required} (and admits {@code null} when present); a {@code Map<String, V>} is an object
 * with {@code "additionalProperties": <schema of V>}; {@link JsonValue} admits any JSON,
 * {@link JsonObject} any object and {@link JsonArray} any array.
 * </ul>
 * In both modes the objects of records and classes have {@code "additionalProperties": false}.
 *
 * <h2>The mapping</h2>
 * <ul>
 * <li>a record: an object whose properties are its components, in declaration order, named by
 * {@link JsonProperty @JsonProperty} (when its value is not empty) or else by the component name;
 * {@link JsonPropertyDescription @JsonPropertyDescription} on a component and
 * {@link JsonClassDescription @JsonClassDescription} on a type become {@code description}s. A
 * generic record is resolved through the actual type arguments of the given
 * {@link ParameterizedType} ({@code Page<Invoice>}). A class of the application with a no-argument
 * constructor is an object of the properties Jackson fills: public fields, fields with a public
 * getter, and setters. An object type that is part of a cycle
 * ({@code record Node(String name, List<Node> children)}) is defined once in {@code $defs} under its
 * simple name (with a suffix {@code _2}, {@code _3}, ... where names clash) and referred to with
 * {@code $ref}; all others are written out where they are used;
 * <li>{@code boolean}, {@link Boolean}: {@code boolean}; {@code byte}, {@code short}, {@code int},
 * {@code long}, their wrappers, {@code BigInteger} and {@code Year}: {@code integer}; {@code float},
 * {@code double}, their wrappers and {@code BigDecimal}: {@code number};
 * <li>{@link String}, {@link CharSequence}, {@code char}, {@code char[]}, {@code URI}, {@code URL},
 * {@code Locale}, {@code Currency} and the {@code java.time} values: {@code string}, with a
 * {@code format} where the text follows a standard: {@code date} ({@code LocalDate}),
 * {@code date-time} ({@code Instant}, {@code OffsetDateTime}, {@code ZonedDateTime}), {@code time}
 * ({@code OffsetTime}), {@code duration} ({@code Duration}, {@code Period}) and {@code uuid}
 * ({@code UUID});
 * <li>an enum: a {@code string} with an {@code enum} of its constants' {@code name()}, or their
 * {@code @JsonProperty} or {@code @JsonValue} where they have one; never {@code toString()};
 * <li>arrays and {@link Collection}s with an element type ({@code List<Line>}, {@code Set<String>},
 * {@code String[]}): an {@code array} with {@code items}; a {@link Map} with {@code String} keys:
 * see the modes;
 * <li>{@link Optional}, {@code OptionalInt}, {@code OptionalLong}, {@code OptionalDouble}, and any type
 * or declaration annotated {@code @Nullable} (JSpecify's, or any annotation of that simple name; also
 * inside a type: {@code List<@Nullable String>}): the value or {@code null}, written as
 * {@code "type": ["string", "null"]} for scalars, arrays and maps and as
 * {@code "anyOf": [{...}, {"type": "null"}]} for objects, enums and references. Primitives are
 * never {@code null}.
 * </ul>
 *
 * <p>Everything else is rejected with an {@link IllegalArgumentException} naming the property
 * path, the type and the reason, such as
 * {@code Invoice.lines[].product: java.lang.Object is not supported: ...}: {@link Object},
 * wildcards and type variables without a concrete type, raw collections, interfaces and abstract
 * classes, classes of the JDK that are no scalar, and at the root anything but an object type.
 *
 * <p>A property description replaces the class description of the type it refers to. Because
 * strict mode allows no keyword beside {@code $ref}, a described reference to a definition in
 * {@code $defs} is written out as a copy of the definition carrying the description.
 *
 * <p>Thread-safe. Generation uses reflection only and never blocks; the schema of a {@link Class}
 * is computed once per mode and cached. The same type always gives the same JSON text.
 */
public final class TypeSchema {
    /** How strictly a schema describes its objects; see the class comment. */
    public enum Mode {
        /** OpenAI strict structured output: every property required, nullable by a union with null. */
        STRICT,
        /** Properties that may be absent are optional; maps and any-JSON values are allowed. */
        LENIENT
    }

    private static final ClassValue<JsonObject> STRICT = cache(Mode.STRICT);
    private static final ClassValue<JsonObject> LENIENT = cache(Mode.LENIENT);

    private TypeSchema() {}

    /**
     * The strict JSON Schema of {@code type}: an object type (a record, a class with properties), or a
     * {@link ParameterizedType} of a generic one. Same as {@code of(type, Mode.STRICT)}.
     *
     * @throws IllegalArgumentException if the type, or a type it contains, cannot be described in
     *         strict structured output; the message names the property path, the type and why
     */
    public static JsonObject of(Type type) {
        return of(type, Mode.STRICT);
    }

    /**
     * The JSON Schema of {@code type} in {@code mode}.
     *
     * @throws IllegalArgumentException if the type, or a type it contains, cannot be described in
     *         that mode; the message names the property path, the type and why
     */
    public static JsonObject of(Type type, Mode mode) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mode, "mode");
        if (type instanceof Class<?> c) {
            return (mode == Mode.STRICT ? STRICT : LENIENT).get(c);
        }
        return SchemaGenerator.of(type, mode);
    }

    private static ClassValue<JsonObject> cache(Mode mode) {
        return new ClassValue<>() {
            @Override
            protected JsonObject computeValue(Class<?> type) {
                return SchemaGenerator.of(type, mode);
            }
        };
    }
}
