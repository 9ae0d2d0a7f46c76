/** The JDBC run store both stores share. Not API. */
@NullMarked
package dev.agentrt.runs.internal;

import org.jspecify.annotations.NullMarked;
