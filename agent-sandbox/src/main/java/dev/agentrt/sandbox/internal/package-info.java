/**
 * Implementation of the sandbox; not part of the API. The classes that are public here are public
 * only for the {@code dev.agentrt.sandbox} package; user code must not import them.
 */
@NullMarked
package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.NullMarked;
