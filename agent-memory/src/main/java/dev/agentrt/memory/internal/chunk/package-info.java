/** Splitting documents into chunks the embedding model takes whole; not part of the API. */
@NullMarked
package dev.agentrt.memory.internal.chunk;

import org.jspecify.annotations.NullMarked;
