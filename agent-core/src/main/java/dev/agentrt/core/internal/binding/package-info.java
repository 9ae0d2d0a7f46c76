/**
 * The one path from a Java type to a JSON Schema and from JSON back to the type: schema generation
 * ({@link dev.agentrt.core.internal.binding.SchemaGenerator}), the one configured Jackson mapper
 * ({@link dev.agentrt.core.internal.binding.Json}) and the readers that bind validated JSON
 * ({@link dev.agentrt.core.internal.binding.TypeBinding}, {@link dev.agentrt.core.internal.binding.Readers}).
 * Structured output, hand-built tools with a record of parameters and {@code @ToolMethod} binding in
 * agent-tools all go through it. Not API: use {@code dev.agentrt.core.json.TypeSchema},
 * {@code Tool.builder(name).parameters(MyRecord.class)} or {@code dev.agentrt.tools.Tools}.
 */
@NullMarked
package dev.agentrt.core.internal.binding;

import org.jspecify.annotations.NullMarked;
