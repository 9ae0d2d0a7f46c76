package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Tools in the prompt through the model's template, calls parsed from its output, and an agent on top. */
class LocalChatModelToolsTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final ToolSpec GET_TIME = new ToolSpec("get_time", "Current time",
            JsonValue.parse("{\"type\":\"object\"}").asObject());

    @TempDir
    static Path temp;

    static Path dir;
    static LocalChatModel model;

    @BeforeAll
    static void load() {
        dir = TinyChatModels.writeBigram(temp.resolve("tiny"));
        model = LocalChatModel.builder().modelPath(dir).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static ChatRequest withTools(List<Message> messages) {
        return new ChatRequest(messages, List.of(GET_TIME), ChatOptions.DEFAULTS);
    }

    @Test
    void toolsArePutInThePromptTheWayTheTemplateSays() {
        String prompt = model.renderPrompt(withTools(List.of(Message.system("Be brief."), Message.user("Time?"))));
        assertThat(prompt).startsWith("<|im_start|>system\nBe brief.\n<tools>\n")
                .contains(
                        "{\"type\": \"function\", \"function\": {\"name\": \"get_time\", \"description\": \"Current time\"")
                .endsWith("</tools><|im_end|>\n<|im_start|>user\nTime?<|im_end|>\n<|im_start|>assistant\n");
        assertThat(model.renderPrompt(ChatRequest.of(Message.user("Hi"))))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void aGeneratedToolCallBecomesAToolCallEventAndNoText() {
        List<ChatEvent> events = model.stream(withTools(List.of(Message.user("What time is it?"))))
                .collectList()
                .block(TIMEOUT);
        assertThat(events).isNotNull();
        assertThat(events).noneMatch(ChatEvent.TextDelta.class::isInstance);
        assertThat(events).filteredOn(ChatEvent.ToolCallDelta.class::isInstance)
                .singleElement()
                .satisfies(e -> {
                    var delta = (ChatEvent.ToolCallDelta) e;
                    assertThat(delta.name()).isEqualTo("get_time");
                    assertThat(delta.id()).isNotBlank();
                    assertThat(delta.argumentsFragment()).isEqualTo("{}");
                });
        assertThat(events.get(events.size() - 1)).isEqualTo(ChatEvent.finish(FinishReason.TOOL_CALLS));
    }

    @Test
    void withoutToolsInTheRequestTheSameOutputWouldStayText() {
        // The same model output, tools given by a template override but not by the request: text.
        Path dir = TinyChatModels.writeBigram(temp.resolve("always-tools"));
        String template = "<|im_start|>system\n<tools>\n</tools><|im_end|>\n"
                + "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "<|im_start|>assistant\n";
        try (LocalChatModel m = LocalChatModel.builder().modelPath(dir).chatTemplate(template).build()) {
            ChatResponse response = m.call(ChatRequest.of(Message.user("Time?"))).block(TIMEOUT);
            assertThat(response).isNotNull();
            assertThat(response.message().text())
                    .isEqualTo("<tool_call> {\"name\": \"get_time\", \"arguments\": {}} </tool_call>");
            assertThat(response.message().toolCalls()).isEmpty();
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void aTruncatedToolCallIsTextWithFinishReasonLength() {
        ChatRequest request = new ChatRequest(List.of(Message.user("What time is it?")), List.of(GET_TIME),
                ChatOptions.DEFAULTS.withMaxTokens(3));
        ChatResponse response = model.call(request).block(TIMEOUT);
        assertThat(response).isNotNull();
        assertThat(response.message().toolCalls()).isEmpty();
        assertThat(response.message().text()).isEqualTo("<tool_call> {\"name\": \"get_time\",");
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void afterAToolResultTheModelAnswers() {
        ToolCall call = new ToolCall("call_1", "get_time", "{}");
        ChatRequest request = withTools(List.of(Message.user("What time is it?"), Message.assistant("", List.of(call)),
                Message.toolResult(call, "12:00", false)));
        String prompt = model.renderPrompt(request);
        assertThat(prompt)
                .contains("<|im_start|>assistant\n\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n"
                        + "</tool_call><|im_end|>")
                .contains("<tool_response>\n12:00\n</tool_response>");
        ChatResponse response = model.call(request).block(TIMEOUT);
        assertThat(response).isNotNull();
        assertThat(response.message().text()).isEqualTo("It is noon.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void anAgentRunsATaskEndToEndOnTheLocalModel() {
        AtomicInteger calls = new AtomicInteger();
        Tool getTime = Tool.builder("get_time")
                .description("Current time")
                .handler((args, ctx) -> {
                    calls.incrementAndGet();
                    return Mono.just(ToolResult.text("12:00"));
                })
                .build();
        Agent agent = Agent.builder().model(model).instructions("You tell the time.").tools(getTime).build();

        AgentResult result = agent.task("What time is it?").execute().block(TIMEOUT);

        assertThat(result).isNotNull();
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("It is noon.");
        assertThat(result.steps()).isEqualTo(2);
        assertThat(calls).hasValue(1);
        assertThat(result.transcript()).filteredOn(Message.ToolResult.class::isInstance)
                .singleElement()
                .satisfies(m -> assertThat(((Message.ToolResult) m).content()).isEqualTo("12:00"));
        assertThat(model.activeGenerations()).isZero();
    }

    @Test
    void anAgentOnAModelThatGeneratesOnTheCallersThreadNeverGeneratesOnAVirtualOrNonBlockingThread() {
        String caller = Thread.currentThread().getName();
        AtomicInteger calls = new AtomicInteger();
        // A blocking tool runs on a virtual thread, and the step after it asks the model from there.
        Tool getTime = Tool.builder("get_time")
                .description("Current time")
                .blockingHandler((args, ctx) -> {
                    calls.incrementAndGet();
                    return ToolResult.text("12:00");
                })
                .build();
        try (LocalChatModel onCaller = LocalChatModel.builder()
                .modelPath(dir)
                .scheduler(Schedulers.immediate())
                .build()) {
            List<String> generating = new CopyOnWriteArrayList<>();
            ChatModel watched = request -> onCaller.stream(request)
                    .doOnNext(event -> generating.add(Thread.currentThread().getName()
                            + (Thread.currentThread().isVirtual() ? " (virtual)" : "")));
            Agent agent = Agent.builder().model(watched).instructions("You tell the time.").tools(getTime).build();

            AgentResult result = agent.task("What time is it?").execute().block(TIMEOUT);

            assertThat(result).isNotNull();
            assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(result.text()).isEqualTo("It is noon.");
            assertThat(calls).hasValue(1);
            assertThat(generating).isNotEmpty()
                    .allMatch(name -> name.equals(caller) || name.startsWith("agentrt-compute"),
                            "the caller or compute");
            // The first step asks from the caller's thread, which generates; the one after the tool asks from the
            // tool's virtual thread, and its generation goes to the compute workers.
            assertThat(generating.get(0)).isEqualTo(caller);
            assertThat(generating.get(generating.size() - 1)).startsWith("agentrt-compute");
            assertThat(onCaller.activeGenerations()).isZero();
        }
    }

    @Test
    void anAgentWithoutToolsGetsThePlainReply() {
        Agent agent = Agent.builder().model(model).build();
        AgentResult result = agent.task("Say hello.").execute().block(TIMEOUT);
        assertThat(result).isNotNull();
        assertThat(result.text()).isEqualTo("Hello there!");
    }

    /** The ChatModel contract on the tiny model: its bigram table scripts the text and the tool call. */
    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            return model;
        }

        @Test
        void theScriptedRepliesAreTheOnesTheContractSees() {
            ChatResponse text = model.call(textRequest()).block(TIMEOUT);
            assertThat(text).isNotNull();
            assertThat(text.message().text()).isEqualTo("Hello there!");
            ChatResponse tool = model.call(toolRequest()).block(TIMEOUT);
            assertThat(tool).isNotNull();
            assertThat(tool.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        }
    }
}
