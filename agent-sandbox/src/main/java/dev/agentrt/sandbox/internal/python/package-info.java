/** Python for the code executor: CPython for WASI, loaded only when the JVM and the class path allow it. */
@NullMarked
package dev.agentrt.sandbox.internal.python;

import org.jspecify.annotations.NullMarked;
