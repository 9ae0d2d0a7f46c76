/**
 * The file confinement layer: every file the runtime opens on behalf of an agent (the file tools,
 * the context reader and its directory walker, memory ingestion, the code executor's host files,
 * the sandbox's mounts) is reached through {@link dev.agentrt.core.internal.fs.Dir}, one path
 * element at a time from an opened directory, never following a symbolic link. Not API: agent-tools,
 * agent-sandbox and agent-memory use these classes directly.
 *
 * <p>Residual risk, stated once: the JDK has no {@code mkdirat}, so {@link
 * dev.agentrt.core.internal.fs.Dir#openDir} creates a missing directory by path. The parent's path is
 * verified to still lead to the opened parent before and after the creation and the call is refused
 * otherwise, and the new directory is then entered relative to the parent's descriptor; a link swapped
 * into an ancestor between those two checks (and swapped back) can still leave one empty directory
 * outside, into which nothing is ever written.
 */
@NullMarked
package dev.agentrt.core.internal.fs;

import org.jspecify.annotations.NullMarked;
