/**
 * The capability model: a {@link dev.agentrt.core.security.Capability} (file read or write under a path,
 * network access to hosts, an environment variable, memory, or a named custom one) is what a tool call
 * needs; {@link dev.agentrt.core.security.Grants} are what an agent or a task was given; an {@link
 * dev.agentrt.core.security.ApprovalHandler} decides on what is missing.
 *
 * <pre>{@code
 * Agent.builder()
 *         .grant(Capability.fileRead(project), Capability.net("docs.oracle.com"))
 *         .approvals(request -> Mono.just(Decision.approveOnce()))
 * }</pre>
 *
 * <p>There is no ambient authority: every check, grant, approval and denial is an {@code AgentEvent}.
 * All types are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.security;

import org.jspecify.annotations.NullMarked;
