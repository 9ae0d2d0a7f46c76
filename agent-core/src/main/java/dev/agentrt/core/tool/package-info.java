@NullMarked
package dev.agentrt.core.tool;

import org.jspecify.annotations.NullMarked;
