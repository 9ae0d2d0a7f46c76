@NullMarked
package dev.agentrt.core.memory;

import org.jspecify.annotations.NullMarked;
