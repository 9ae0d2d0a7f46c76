@NullMarked
package dev.agentrt.core.context;

import org.jspecify.annotations.NullMarked;
