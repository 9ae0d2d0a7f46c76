package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The LangChain4j side of {@link Fixtures}' scenario; kept apart so agentrt runs need no LangChain4j on the class path. */
final class Lc4jFixtures {
    private Lc4jFixtures() {}

    /** One scripted turn of the scenario (model, tool, model) on a freshly built assistant. */
    static String firstTurn() {
        return langchain4jAssistant(new Lc4jScriptedModel(java.time.Duration.ZERO, 1), new DocTools(null))
                .chat(Fixtures.INPUT);
    }

    /** The LangChain4j AI service. */
    public interface Assistant {
        @SystemMessage(Fixtures.INSTRUCTIONS)
        String chat(String input);
    }

    /** The LangChain4j tool, the same as agentrt's; with a latch, each call waits on it. */
    public static final class DocTools {
        private final @Nullable CountDownLatch gate;
        private final AtomicInteger waiting = new AtomicInteger();

        DocTools(@Nullable CountDownLatch gate) {
            this.gate = gate;
        }

        @dev.langchain4j.agent.tool.Tool(name = Fixtures.TOOL_NAME, value = "Reads a document")
        public String readDoc(@P("Path of the document") String path) throws InterruptedException {
            CountDownLatch g = gate;
            if (g != null) {
                waiting.incrementAndGet();
                g.await();
            }
            return Fixtures.TOOL_OUTPUT;
        }

        int waiting() {
            return waiting.get();
        }
    }

    static Assistant langchain4jAssistant(dev.langchain4j.model.chat.ChatModel model, DocTools tools) {
        return AiServices.builder(Assistant.class).chatModel(model).tools(tools).build();
    }

    /**
     * A scripted LangChain4j model, the counterpart of {@link ScriptedChatModel#perConversation()}:
     * the reply is chosen by the number of AI messages in the request; latency is a
     * {@code Thread.sleep} (cheap on a virtual thread). Responses are built once.
     */
    static final class Lc4jScriptedModel implements dev.langchain4j.model.chat.ChatModel {
        private final List<ChatResponse> responses;
        private final long latencyMillis;

        Lc4jScriptedModel(Duration latency, int toolRounds) {
            this.latencyMillis = latency.toMillis();
            var list = new ArrayList<ChatResponse>();
            for (int i = 0; i < toolRounds; i++) {
                var call = ToolExecutionRequest.builder()
                        .id("call_" + (i + 1))
                        .name(Fixtures.TOOL_NAME)
                        .arguments(Fixtures.ARGUMENTS)
                        .build();
                list.add(ChatResponse.builder()
                        .aiMessage(AiMessage.from(call))
                        .tokenUsage(new TokenUsage(10, 5))
                        .finishReason(FinishReason.TOOL_EXECUTION)
                        .build());
            }
            list.add(ChatResponse.builder()
                    .aiMessage(AiMessage.from(Fixtures.ANSWER))
                    .tokenUsage(new TokenUsage(10, 14))
                    .finishReason(FinishReason.STOP)
                    .build());
            this.responses = List.copyOf(list);
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            int index = 0;
            for (ChatMessage m : request.messages()) {
                if (m instanceof AiMessage) {
                    index++;
                }
            }
            if (latencyMillis > 0) {
                try {
                    Thread.sleep(latencyMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return responses.get(Math.min(index, responses.size() - 1));
        }
    }
}
