/** JMH benchmarks and side-by-side runs of agentrt against LangChain4j. */
@NullMarked
package dev.agentrt.benchmarks;

import org.jspecify.annotations.NullMarked;
