/**
 * agentrt's own small JSON types, so that no public signature names Jackson: {@link
 * dev.agentrt.core.json.JsonValue} (a sealed family of immutable values), {@link
 * dev.agentrt.core.json.JsonSchema} (a compiled JSON Schema validator) and {@link
 * dev.agentrt.core.json.TypeSchema} (the schema of a Java type).
 *
 * <pre>{@code
 * JsonObject args = JsonValue.parse("{\"path\":\"README.md\"}").asObject();
 * JsonSchema schema = JsonSchema.compile(TypeSchema.of(ReadArgs.class));
 * List<String> problems = schema.validate(args);          // empty when valid
 * }</pre>
 *
 * <p>Values and compiled schemas are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.json;

import org.jspecify.annotations.NullMarked;
