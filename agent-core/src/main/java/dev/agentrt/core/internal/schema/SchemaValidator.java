package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;
import static dev.agentrt.core.internal.schema.Limits.MAX_VIOLATIONS;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;

import java.util.List;

/**
 * The compiled form of a {@link dev.agentrt.core.json.JsonSchema}, and the only public type of
 * this package: the facade holds one and delegates to it. Not API; its contract is the facade's.
 *
 * <p>Immutable and thread-safe: the node tree, including the targets that {@code $ref} nodes
 * receive after it is built, is complete before the final {@link #root} field is written, so it is
 * safely published with this object.
 */
public final class SchemaValidator {
    private static final String TOO_DEEP = "$: value nested deeper than " + MAX_DEPTH + " levels";
    private static final SchemaValidator ANY = new SchemaValidator(Always.ACCEPT);

    private final Node root;

    private SchemaValidator(Node root) {
        this.root = root;
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws IllegalArgumentException if the schema is invalid or uses something unsupported; the
     *         message names the keyword and its location as a JSON pointer
     */
    public static SchemaValidator compile(JsonObject schema) {
        return new SchemaValidator(new Compiler(schema).compileRoot());
    }

    /** The validator of {@code {}}, which accepts every value. */
    public static SchemaValidator any() {
        return ANY;
    }

    /** The violations of {@code value}, at most 20; an empty list when it is valid. */
    public List<String> validate(JsonValue value) {
        try {
            if (root.test(value, 0)) {
                return List.of();
            }
        } catch (TooDeep e) {
            // The collecting pass below reports it, with anything else that is wrong.
        }
        var collector = new Collector(MAX_VIOLATIONS);
        try {
            root.collect(value, 0, collector);
        } catch (TooDeep e) {
            collector.addComplete(TOO_DEEP);
        }
        if (collector.isEmpty()) {
            collector.addComplete("$: value does not match the schema");
        }
        return collector.violations();
    }

    /** Whether {@code value} is valid, allocating nothing. */
    public boolean isValid(JsonValue value) {
        try {
            return root.test(value, 0);
        } catch (TooDeep e) {
            return false;
        }
    }
}
