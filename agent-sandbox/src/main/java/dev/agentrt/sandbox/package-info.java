/**
 * A pure-Java WebAssembly sandbox (Endive): runs code a model wrote and third-party WASM tool
 * plugins with no ambient authority and hard limits on time, memory and output. Endive types never
 * appear in this package's signatures.
 */
@NullMarked
package dev.agentrt.sandbox;

import org.jspecify.annotations.NullMarked;
