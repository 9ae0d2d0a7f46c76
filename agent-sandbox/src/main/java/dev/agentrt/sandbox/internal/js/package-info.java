/** JavaScript for the code executor: QuickJS compiled to WebAssembly, run by Endive through quickjs4j. */
@NullMarked
package dev.agentrt.sandbox.internal.js;

import org.jspecify.annotations.NullMarked;
