/**
 * The JSON Schema validator behind {@link dev.agentrt.core.json.JsonSchema}: a compiler that turns
 * a schema into a tree of small package-private validator nodes, one class per keyword family,
 * each with an allocation-free {@code test} and a {@code collect} that words the violations. Not
 * API: only {@link dev.agentrt.core.internal.schema.SchemaValidator} is public, for the facade.
 * The official JSON-Schema-Test-Suite runs against it in {@code JsonSchemaTestSuiteTest}.
 */
@NullMarked
package dev.agentrt.core.internal.schema;

import org.jspecify.annotations.NullMarked;
