@NullMarked
package dev.agentrt.core.security;

import org.jspecify.annotations.NullMarked;
