package dev.agentrt.core.json;

import dev.agentrt.core.internal.schema.SchemaValidator;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A JSON Schema compiled once into a tree of validators, then used to check {@link JsonValue}s,
 * typically the arguments a model passes to a tool.
 *
 * <pre>{@code
 * JsonSchema schema = JsonSchema.compile(JsonValue.parse("""
 *         {"type": "object",
 *          "properties": {"path": {"type": "string"}, "lines": {"type": "integer", "minimum": 1}},
 *          "required": ["path"],
 *          "additionalProperties": false}
 *         """).asObject());
 * schema.isValid(JsonValue.parse("{\"path\": \"src/Main.java\"}"));  // true
 * schema.validate(JsonValue.parse("{\"lines\": 0}"));
 * // [$: missing required property "path", $.lines: expected a number >= 1, got 0]
 * }</pre>
 *
 * <p>Supported keywords: {@code type}, {@code enum}, {@code const}; {@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}, {@code multipleOf};
 * {@code minLength}, {@code maxLength} (in code points), {@code pattern} ({@link Pattern},
 * searched with {@code find()}); {@code items}, {@code prefixItems}, {@code minItems},
 * {@code maxItems}, {@code uniqueItems}, {@code contains}, {@code minContains},
 * {@code maxContains}; {@code properties}, {@code patternProperties}, {@code additionalProperties},
 * {@code required}, {@code minProperties}, {@code maxProperties}, {@code propertyNames},
 * {@code dependentRequired}, {@code dependentSchemas}; {@code allOf}, {@code anyOf}, {@code oneOf},
 * {@code not}, {@code if}/{@code then}/{@code else}; {@code $ref} to {@code #} or to a JSON pointer
 * inside the schema such as {@code #/$defs/name} (recursive schemas work); boolean schemas. The
 * draft 4 to 7 forms {@code items: [...]} with {@code additionalItems}, {@code dependencies} and
 * boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} are understood too. Annotations
 * ({@code title}, {@code description}, {@code format}, ...) and keywords not listed here (such as
 * {@code unevaluatedProperties}, {@code $dynamicRef}) are ignored, as lenient validators do. The
 * official JSON-Schema-Test-Suite for draft 2020-12 runs against this class; the cases it fails
 * are listed, with the reason, in the test resources.
 *
 * <p>Validation never throws for any value: whatever is wrong is a violation. Each violation
 * starts with the location as a JSON path ({@code $}, {@code $.items[2].name}), then says what was
 * expected and what was found. At most 20 violations are reported, and no value is echoed beyond
 * 80 characters. A value is inspected only as deep as the schema reaches; where that is deeper
 * than 200 levels of nesting, the value is rejected. {@code pattern} is not run on strings longer
 * than 10,000 characters; such a string is a violation. Checking a valid value allocates (almost)
 * nothing.
 *
 * <p>Instances are immutable and thread-safe; validation is CPU-only and never blocks.
 * {@link #equals} and {@link #hashCode} compare the schema JSON.
 */
public final class JsonSchema {
    private static final JsonSchema ANY = new JsonSchema(JsonObject.EMPTY, SchemaValidator.any());

    private final JsonObject json;
    private final SchemaValidator validator;

    private JsonSchema(JsonObject json, SchemaValidator validator) {
        this.json = json;
        this.validator = validator;
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws IllegalArgumentException if the schema is invalid or uses something unsupported (an
     *         unknown {@code type}, a {@code $ref} that does not resolve or leaves the document, a
     *         {@code pattern} that is not a regular expression, ...); the message names the keyword
     *         and its location as a JSON pointer such as {@code #/properties/count}
     */
    public static JsonSchema compile(JsonObject schema) {
        Objects.requireNonNull(schema, "schema");
        return new JsonSchema(schema, SchemaValidator.compile(schema));
    }

    /** The schema {@code {}}, which accepts every value. */
    public static JsonSchema any() {
        return ANY;
    }

    /** The schema this was compiled from. */
    public JsonObject json() {
        return json;
    }

    /**
     * Checks {@code value}; returns the violations, or an empty list when the value is valid. Each
     * violation reads like {@code $.count: expected integer, got string "3"}; at most 20 are reported.
     */
    public List<String> validate(JsonValue value) {
        Objects.requireNonNull(value, "value");
        return validator.validate(value);
    }

    /** Whether {@code value} is valid; the fast path of {@link #validate}, allocating nothing. */
    public boolean isValid(JsonValue value) {
        Objects.requireNonNull(value, "value");
        return validator.isValid(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonSchema other && json.equals(other.json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return "JsonSchema" + json.toJson();
    }
}
