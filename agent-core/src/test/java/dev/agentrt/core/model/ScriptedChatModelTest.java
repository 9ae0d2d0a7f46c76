package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;

class ScriptedChatModelTest {
    @Test
    void streamsTextAndToolCallsInFragmentsThatAssembleBack() {
        var model = ScriptedChatModel.builder()
                .repeat()
                .reply(Reply.of("hello world", List.of(new ToolCall("id1",
                        "search", "{\"q\":\"reactor\"}"), new ToolCall("id2", "read", "{}")), Usage.of(7, 3)))
                .build();
        ChatResponse r = model.call(ChatRequest.of(Message.user("hi"))).block();
        assertThat(r.message()).isEqualTo(Message.assistant("hello world", List.of(
                new ToolCall("id1", "search", "{\"q\":\"reactor\"}"), new ToolCall("id2", "read", "{}"))));
        assertThat(r.usage()).isEqualTo(Usage.of(7, 3));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(model.stream(ChatRequest.of(Message.user("hi"))).collectList().block())
                .filteredOn(ChatEvent.ToolCallDelta.class::isInstance)
                .hasSize(4);
    }

    @Test
    void failsPastTheEndOfTheScriptUnlessRepeating() {
        var once = ScriptedChatModel.of(Reply.text("a"));
        once.call(ChatRequest.of(Message.user("1"))).block();
        StepVerifier.create(once.call(ChatRequest.of(Message.user("2"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no reply number 2"))
                .verify();
        var loop = ScriptedChatModel.builder().replies(Reply.text("a"), Reply.text("b")).repeat().build();
        assertThat(List.of(1, 2, 3)
                .stream()
                .map(i -> loop.call(ChatRequest.of(Message.user("" + i)))
                        .block()
                        .message()
                        .text())
                .toList()).containsExactly("a", "b", "a");
    }

    @Test
    void waitsWithoutBlockingAThread() {
        var model = ScriptedChatModel.builder().reply(Reply.text("late")).latency(Duration.ofHours(1)).build();
        StepVerifier.withVirtualTime(() -> model.call(ChatRequest.of(Message.user("hi"))))
                .expectSubscription()
                .expectNoEvent(Duration.ofMinutes(59))
                .thenAwait(Duration.ofMinutes(1))
                .assertNext(r -> assertThat(r.message().text()).isEqualTo("late"))
                .verifyComplete();
    }

    @Test
    void recordsRequestsAndChoosesByConversationWhenAsked() {
        var model = ScriptedChatModel.builder()
                .perConversation()
                .replies(Reply.text("first"), Reply.text("second"))
                .build();
        var turnTwo = ChatRequest.of(Message.user("q"), Message.assistant("first"), Message.user("again"));
        assertThat(model.call(turnTwo).block().message().text()).isEqualTo("second");
        assertThat(model.call(ChatRequest.of(Message.user("q"))).block().message().text()).isEqualTo("first");
        assertThat(model.requests()).containsExactly(turnTwo, ChatRequest.of(Message.user("q")));
        assertThat(model.lastRequest()).isEqualTo(ChatRequest.of(Message.user("q")));
    }

    @Test
    void rejectsAnEmptyOrAmbiguousScript() {
        assertThatThrownBy(() -> ScriptedChatModel.builder().build()).hasMessageContaining("replies");
        assertThatThrownBy(() -> ScriptedChatModel.builder()
                .reply(Reply.text("a"))
                .responder(r -> Reply.text("b"))
                .build()).hasMessageContaining("either");
    }

    @Test
    void callReportsAStreamWithTwoFinishEventsAsAnError() {
        var model = ScriptedChatModel.of(Reply.events(ChatEvent.text("x"), ChatEvent.finish(FinishReason.STOP),
                ChatEvent.finish(FinishReason.STOP)));
        StepVerifier.create(model.call(ChatRequest.of(Message.user("hi"))))
                .expectErrorMessage("model sent a second finish event")
                .verify();
    }

    @Test
    void assemblesToolCallsWithoutIdsOrNamesIntoCallsTheRegistryCanReject() {
        var model = ScriptedChatModel.of(Reply.events(new ChatEvent.ToolCallDelta(3, null, null, ""),
                ChatEvent.finish(FinishReason.TOOL_CALLS)));
        ChatResponse r = model.call(ChatRequest.of(Message.user("hi"))).block();
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_3", "", "{}"));
    }
}
