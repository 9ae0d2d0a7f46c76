/**
 * Implementation of the sandbox; not part of the API. The classes that are public here are public
 * only for the {@code dev.agentrt.sandbox} package and its runtimes ({@code internal.js},
 * {@code internal.python}); user code must not import them.
 *
 * <p>One execution core serves every runtime (WASI modules, WASM tool plugins, QuickJS, CPython):
 * {@link dev.agentrt.sandbox.internal.Runs} runs a guest on a bounded scheduler under a
 * {@link dev.agentrt.sandbox.internal.RunGuard} (the time limit through a
 * {@link dev.agentrt.sandbox.internal.RunTimer}, cancellation, the first reason the guest was
 * stopped), {@link dev.agentrt.sandbox.internal.CappedOutput} and
 * {@link dev.agentrt.sandbox.internal.CappedMemory} enforce the output and memory caps of
 * {@link dev.agentrt.sandbox.SandboxLimits} by stopping the guest through that guard, and
 * {@link dev.agentrt.sandbox.internal.OutcomeClassifier} turns what happened into the
 * {@link dev.agentrt.sandbox.RunOutcome}.
 */
@NullMarked
package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.NullMarked;
