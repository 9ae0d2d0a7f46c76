@NullMarked
package dev.agentrt.core.model;

import org.jspecify.annotations.NullMarked;
