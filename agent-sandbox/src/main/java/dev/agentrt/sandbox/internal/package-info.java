/** Implementation of the sandbox; not part of the API. */
@NullMarked
package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.NullMarked;
