@NullMarked
package dev.agentrt.core.internal.http;

import org.jspecify.annotations.NullMarked;
