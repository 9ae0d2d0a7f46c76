package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.context.Document;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A sub-agent's task is bound by its caller (grants, budget, approvals): every variant made of it keeps that bound,
 * so no way of building the task on can shed it.
 */
class TaskNestingTest {
    @Test
    void everyVariantOfANestedTaskStaysNested() {
        Agent agent = Agent.builder().model(ScriptedChatModel.of(Reply.text("done"))).build();
        var nesting = new Nesting(Grants.none(), Budget.UNLIMITED, request -> reactor.core.publisher.Mono
                .just(Decision.deny("the caller may not")));
        Task nested = agent.task("work").nestedIn(nesting);

        List<UnaryOperator<Task>> variants = List.of(
                t -> t.grant(Capability.fileRead(Path.of("/tmp"))),
                t -> t.as(Principal.of("someone")),
                t -> t.withId("task-1"),
                t -> t.withMessages(Message.user("earlier")),
                t -> t.withContext(TaskContext.of(Document.of("notes", "text"))),
                t -> t.grant(Capability.fileWrite(Path.of("/"))).as(Principal.of("x")).withId("y"));
        for (UnaryOperator<Task> variant : variants) {
            assertThat(variant.apply(nested).nesting()).isSameAs(nesting);
        }
        assertThat(agent.task("work").grant(Capability.fileRead(Path.of("/tmp"))).nesting())
                .as("a task that was never nested")
                .isNull();
    }
}
