/**
 * A renderer for the subset of Jinja that chat templates use, with jinja2's semantics as Hugging Face
 * transformers configures it ({@code trim_blocks}, {@code lstrip_blocks}, loop controls, Python value
 * semantics and printing). Implementation detail of agent-inference; not part of the API.
 */
@NullMarked
package dev.agentrt.inference.internal.jinja;

import org.jspecify.annotations.NullMarked;
