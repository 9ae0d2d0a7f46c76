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

/**
 * The same scenario on both runtimes: a system prompt, a user input, {@code toolRounds} calls of a
 * document-reading tool (one required string argument, {@code path}), then a final text answer.
 * Models are scripted (no network); the agentrt tool needs a non-file capability, so a capability
 * check costs what the runtime costs and not a file-system call.
 */
final class Fixtures {
    static final String INSTRUCTIONS = "You are a helpful assistant. Use the tools to read documents.";
    static final String INPUT = "What does README.md say about building the project?";
    static final String TOOL_NAME = "read_doc";
    static final String ARGUMENTS = "{\"path\":\"README.md\"}";
    static final String TOOL_OUTPUT = "# agentrt\nBuild with ./mvnw verify.";
    static final String ANSWER = "The README says to build the project with ./mvnw verify.";
    static final Capability DOCS_READ = Capability.custom("docs", "read");

    private static final JsonObject SCHEMA = JsonValue.parse("""
            {"type":"object",
             "properties":{"path":{"type":"string","description":"Path of the document"}},
             "required":["path"]}""").asObject();
    private static final ToolResult RESULT = ToolResult.text(TOOL_OUTPUT);

    private Fixtures() {}

    /** A scripted agentrt model: {@code toolRounds} tool calls, then the answer; replies chosen per conversation. */
    static ScriptedChatModel agentrtModel(Duration latency, int toolRounds) {
        var b = ScriptedChatModel.builder().latency(latency).perConversation().recordRequests(false);
        for (int i = 0; i < toolRounds; i++) {
            b.reply(Reply.toolCall(TOOL_NAME, ARGUMENTS));
        }
        return b.reply(Reply.text(ANSWER)).build();
    }

    /** The document tool; it requires {@link #DOCS_READ} and answers at once. */
    static Tool agentrtTool() {
        return Tool.builder(TOOL_NAME)
                .description("Reads a document")
                .parameters(SCHEMA)
                .requires(DOCS_READ)
                .handler((args, ctx) -> Mono.just(RESULT))
                .build();
    }

    /** The document tool, answering only once {@code gate} completes; counts the calls that wait. */
    static Tool agentrtGatedTool(Mono<Void> gate, AtomicInteger waiting) {
        Mono<ToolResult> result = Mono.just(RESULT);
        return Tool.builder(TOOL_NAME)
                .description("Reads a document")
                .parameters(SCHEMA)
                .requires(DOCS_READ)
                .handler((args, ctx) -> Mono.defer(() -> {
                    waiting.incrementAndGet();
                    return gate.then(result);
                }))
                .build();
    }

    static Agent agentrtAgent(ChatModel model, Tool tool) {
        return Agent.builder().model(model).instructions(INSTRUCTIONS).tools(tool).grant(DOCS_READ).build();
    }
}
