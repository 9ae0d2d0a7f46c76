package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentrt.core.model.ChatEvent.ToolCallDelta;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.time.Duration;

/**
 * How {@link ChatModel#call} joins the tool-call deltas of any model (not only the hosted clients,
 * whose decoders already number calls apart): what a delta's index, id and name say about which call
 * it belongs to.
 */
class ToolCallAssemblyTest {
    static ChatResponse call(ChatEvent... events) {
        ChatModel model = request -> Flux.just(events);
        ChatResponse response = model.call(ChatRequest.of(Message.user("t"))).block(Duration.ofSeconds(30));
        assertThat(response).isNotNull();
        return response;
    }

    static ChatEvent finish() {
        return ChatEvent.finish(FinishReason.TOOL_CALLS);
    }

    @Test
    void aDeltaWithANewIdAtAnIndexInUseStartsANewCall() {
        ChatResponse r = call(new ToolCallDelta(0, "call_a", "a", "{\"x\": 1}"),
                new ToolCallDelta(0, "call_b", "b", "{\"y\": 2}"), finish());

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_a", "a", "{\"x\": 1}"),
                new ToolCall("call_b", "b", "{\"y\": 2}"));
    }

    @Test
    void fragmentsWithoutAnIdGoToTheLatestCallAtTheirIndexAndAKnownIdToItsCall() {
        ChatResponse r = call(new ToolCallDelta(0, "call_a", "a", "{\"x\":"),
                new ToolCallDelta(0, "call_b", "b", "{\"y\":"),
                new ToolCallDelta(0, null, null, " 2}"),
                new ToolCallDelta(0, "call_a", null, " 1}"), finish());

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_a", "a", "{\"x\": 1}"),
                new ToolCall("call_b", "b", "{\"y\": 2}"));
    }

    @Test
    void aNameAfterArgumentsStartsANewCallAndOneBeforeThemIsPartOfTheName() {
        ChatResponse r = call(new ToolCallDelta(0, "call_a", "get_", ""),
                new ToolCallDelta(0, null, "weather", "{}"),
                new ToolCallDelta(0, null, "get_time", "{\"zone\":\"UTC\"}"), finish());

        assertThat(r.message().toolCalls()).extracting(ToolCall::name, ToolCall::arguments)
                .containsExactly(tuple("get_weather", "{}"), tuple("get_time", "{\"zone\":\"UTC\"}"));
        assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates().startsWith("call_a");
    }

    @Test
    void aNameAndIdRepeatedOnEveryFragmentIsOneCall() {
        ChatResponse r = call(new ToolCallDelta(0, "call_a", "get_time", "{\"zone\":"),
                new ToolCallDelta(0, "call_a", "get_time", "\"UTC\"}"), finish());

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_a", "get_time", "{\"zone\":\"UTC\"}"));
    }

    @Test
    void duplicateIdsAndGeneratedIdsThatCollideBecomeDistinct() {
        ChatResponse r = call(new ToolCallDelta(0, "call_1", "a", "{}"),
                new ToolCallDelta(1, null, "b", "{}"),
                new ToolCallDelta(2, "x", "c", "{}"),
                new ToolCallDelta(3, "x", "d", "{}"), finish());

        assertThat(r.message().toolCalls()).extracting(ToolCall::name).containsExactly("a", "b", "c", "d");
        assertThat(r.message().toolCalls()).extracting(ToolCall::id)
                .doesNotHaveDuplicates()
                .startsWith("call_1")
                .contains("x");
    }

    @Test
    void callsAreOrderedByIndexWhateverOrderTheyStartIn() {
        ChatResponse r = call(new ToolCallDelta(5, "call_c", "c", "{}"), new ToolCallDelta(2, "call_a", "a", "{}"),
                finish());

        assertThat(r.message().toolCalls()).extracting(ToolCall::id).containsExactly("call_a", "call_c");
    }
}
