/**
 * Runs as data: the JSON form of everything a run produces, so a run can be written to a journal,
 * replayed in a test, or resumed.
 *
 * <pre>{@code
 * agent.task("Summarise README.md").stream()
 *     .doOnNext(event -> journal.println(AgentJson.write(event)))
 *     .blockLast();
 * AgentEvent first = AgentJson.readEvent(journal.firstLine());   // equals the event written
 * }</pre>
 *
 * <p>{@link dev.agentrt.core.run.AgentJson} is the entry point; the codecs behind it are
 * package-private, one per family of values.
 */
@NullMarked
package dev.agentrt.core.run;

import org.jspecify.annotations.NullMarked;
