/**
 * How {@code @ToolMethod} methods become tools: schema generation, argument binding, invocation and result
 * conversion. Not API: use {@code dev.agentrt.tools.Tools}.
 */
@NullMarked
package dev.agentrt.tools.internal.binding;

import org.jspecify.annotations.NullMarked;
