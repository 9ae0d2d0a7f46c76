@NullMarked
package dev.agentrt.core;

import org.jspecify.annotations.NullMarked;
