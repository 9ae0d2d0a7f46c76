/** The Lucene index behind {@code dev.agentrt.memory.LuceneVectorStore}. Not an API. */
@NullMarked
package dev.agentrt.memory.internal.lucene;

import org.jspecify.annotations.NullMarked;
