/**
 * What a task works on: a {@link dev.agentrt.core.context.Context} of {@link
 * dev.agentrt.core.context.Document}s, or a directory the agent may read (ingested into memory when the
 * agent has one, listed and readable through a tool otherwise).
 *
 * <pre>{@code
 * agent.task("Summarise the design").withContext(TaskContext.fromDirectory(Path.of("docs"))).execute();
 * }</pre>
 *
 * <p>Contexts are immutable; a directory is read when the task runs, through the file-confinement layer.
 */
@NullMarked
package dev.agentrt.core.context;

import org.jspecify.annotations.NullMarked;
