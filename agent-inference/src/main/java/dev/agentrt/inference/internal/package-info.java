/** Implementation detail of agent-inference; not part of the API. */
@NullMarked
package dev.agentrt.inference.internal;

import org.jspecify.annotations.NullMarked;
