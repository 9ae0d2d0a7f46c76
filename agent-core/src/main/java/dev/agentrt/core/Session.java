package dev.agentrt.core;

import dev.agentrt.core.model.Message;
import dev.agentrt.core.run.RunRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;

/**
 * A conversation that spans tasks and process restarts ({@link Agent#session(String)}), kept in the agent's run
 * store: each task continues from the transcript of the session's last run, tool calls and their results
 * included.
 *
 * <pre>{@code
 * Session chat = agent.session("user-42");
 * chat.task("My order 1234 has not arrived.").execute().block();
 * chat.task("Can you refund it instead?").execute().block();   // sees the first exchange, even after a restart
 * }</pre>
 */
public final class Session {
    private final Agent agent;
    private final String id;

    Session(Agent agent, String id) {
        this.agent = agent;
        this.id = Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > RunRecord.MAX_ID_LENGTH) {
            throw new IllegalArgumentException("a session id has 1 to " + RunRecord.MAX_ID_LENGTH + " characters");
        }
    }

    public String id() {
        return id;
    }

    /** The next task of the conversation. */
    public Task task(String input) {
        return Task.inSession(agent, Objects.requireNonNull(input, "input"), id);
    }

    /** The session's runs, oldest first. */
    public Flux<RunRecord> runs() {
        return Objects.requireNonNull(agent.runStore()).session(id);
    }

    /** The conversation so far: the transcript of the session's last run (empty before the first). */
    public Mono<List<Message>> transcript() {
        return RunJournal.sessionTranscript(Objects.requireNonNull(agent.runStore()), id);
    }
}
