package dev.agentrt.core.run;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * What a store records when a run starts: enough for another process that builds the same agent to resume it.
 *
 * @param id the run's id ({@code AgentResult.runId()}, the task id), unique in the store
 * @param agentName the agent's name ({@code Agent.Builder.name})
 * @param agentVersion the agent's version ({@code Agent.Builder.version}), so a resume by a changed agent shows
 * @param input the task's input
 * @param principal on whose behalf the run acts
 * @param grants the capabilities granted to this task alone ({@code Task.grant}), beyond the agent's
 * @param sessionId the conversation the run belongs to, or null
 */
public record NewRun(String id, String agentName, String agentVersion, String input, Principal principal,
        List<Capability> grants, @Nullable String sessionId) {
    public NewRun {
        RunRecord.requireId(id, "id");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(principal, "principal");
        grants = List.copyOf(grants);
        if (sessionId != null) {
            RunRecord.requireId(sessionId, "sessionId");
        }
    }
}
