package dev.agentrt.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The contract every {@link ChatModel} keeps. Shipped in agent-core's test-jar: an implementation's
 * test extends this class and says how to make a model that answers a plain question with text and
 * a question that names the tool {@code get_time} with a call to it.
 */
public abstract class ChatModelContract {
    /** A model (or a client pointed at a local test server) ready to answer. */
    protected abstract ChatModel model();

    protected ChatRequest textRequest() {
        return ChatRequest.of(Message.user("Say hello."));
    }

    protected ChatRequest toolRequest() {
        var spec = new ToolSpec("get_time", "Current time", JsonValue.parse("{\"type\":\"object\"}").asObject());
        return new ChatRequest(List.of(Message.user("What time is it? Use get_time.")), List.of(spec),
                dev.agentrt.core.model.ChatOptions.DEFAULTS);
    }

    @Test
    void aStreamEndsWithExactlyOneFinishAndNothingAfterIt() {
        List<ChatEvent> events = model().stream(textRequest()).collectList().block(Duration.ofSeconds(30));
        assertThat(events).isNotEmpty();
        assertThat(events).filteredOn(ChatEvent.Finish.class::isInstance).hasSize(1);
        assertThat(events.get(events.size() - 1)).isInstanceOf(ChatEvent.Finish.class);
    }

    @Test
    void callAssemblesTheStreamedText() {
        var streamed = new StringBuilder();
        model().stream(textRequest())
                .ofType(ChatEvent.TextDelta.class)
                .doOnNext(d -> streamed.append(d.text()))
                .blockLast(Duration.ofSeconds(30));
        var response = model().call(textRequest()).block(Duration.ofSeconds(30));
        assertThat(response).isNotNull();
        assertThat(response.message().text()).isNotEmpty();
        assertThat(streamed.toString()).isNotEmpty();
    }

    @Test
    void toolCallsComeWithIdsNamesAndJsonArguments() {
        var response = model().call(toolRequest()).block(Duration.ofSeconds(30));
        assertThat(response).isNotNull();
        assertThat(response.message().toolCalls()).isNotEmpty().allSatisfy(c -> {
            assertThat(c.id()).isNotBlank();
            assertThat(c.name()).isEqualTo("get_time");
            assertThat(JsonValue.parse(c.arguments())).isInstanceOf(dev.agentrt.core.json.JsonObject.class);
        });
    }

    @Test
    void streamIsColdAndCancellable() {
        Flux<ChatEvent> stream = model().stream(textRequest());
        var subscribed = new AtomicBoolean();
        StepVerifier.create(stream.doOnSubscribe(s -> subscribed.set(true)).take(1))
                .expectNextCount(1)
                .verifyComplete();
        assertThat(subscribed).isTrue();
        // A second subscription is a second, independent request.
        assertThat(stream.collectList().block(Duration.ofSeconds(30))).isNotEmpty();
    }
}
