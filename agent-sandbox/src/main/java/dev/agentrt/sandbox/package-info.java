/**
 * A pure-Java WebAssembly sandbox (Endive): {@link dev.agentrt.sandbox.CodeExecutor} runs code a model
 * wrote (JavaScript on QuickJS, Python on CPython for WASI where the JVM allows, WASI modules) and {@link
 * dev.agentrt.sandbox.WasmTool} loads third-party WASM tool plugins, each with no ambient authority and
 * hard limits ({@link dev.agentrt.sandbox.SandboxLimits}) on time, memory and output.
 *
 * <pre>{@code
 * Agent agent = Agent.builder().model(model).tools(CodeExecutor.javascript()).build();
 * ExecutionResult r = CodeExecutor.javascript().execute("javascript", "console.log(6 * 7)").block();
 * }</pre>
 *
 * <p>Files a run may see are mapped from the agent's grants; a plugin gets at most the intersection of its
 * manifest and the grants. Endive types never appear in this package's signatures. Thread-safe.
 */
@NullMarked
package dev.agentrt.sandbox;

import org.jspecify.annotations.NullMarked;
