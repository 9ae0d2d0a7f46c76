package dev.agentrt.core;

import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Grants;

/**
 * What bounds a sub-agent's run: its caller's grants (the run's own are intersected with them), the budget carved
 * out of what the caller has left, and the approval handler that asks both the caller and the sub-agent.
 */
record Nesting(Grants callerGrants, Budget budget, ApprovalHandler approvals) {}
