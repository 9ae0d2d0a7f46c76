@NullMarked
package dev.agentrt.core.json;

import org.jspecify.annotations.NullMarked;
