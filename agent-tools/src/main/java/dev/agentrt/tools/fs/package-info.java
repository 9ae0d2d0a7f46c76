/**
 * File-system tools confined to one root directory: {@link dev.agentrt.tools.fs.FileSystemTools} offers
 * {@code read_file}, {@code write_file}, {@code edit_file}, {@code list_directory}, {@code glob} and {@code
 * grep}, each checked against the task's {@code FileRead} / {@code FileWrite} grants and run through
 * agent-core's file-confinement layer (no link is followed out of the root).
 *
 * <pre>{@code
 * Agent.builder().tools(FileSystemTools.rootedAt(project)).grant(Capability.fileRead(project))
 * }</pre>
 *
 * <p>Immutable and thread-safe; file I/O runs on {@code AgentSchedulers.blocking()}.
 */
@NullMarked
package dev.agentrt.tools.fs;

import org.jspecify.annotations.NullMarked;
