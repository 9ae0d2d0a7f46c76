@NullMarked
package dev.agentrt.core.internal;

import org.jspecify.annotations.NullMarked;
