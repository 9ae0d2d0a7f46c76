package dev.agentrt.benchmarks;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Parsing and assembling a streamed reply of 2,000 server-sent events, as each client decodes a
 * live one (bytes → SSE framing → JSON → {@code ChatEvent}s → one assembled {@code ChatResponse}),
 * without the network: the recorded body is replayed in 16 KiB pieces, the size the JDK client
 * hands over. The reply is realistic: text deltas of a few words, then a tool call whose
 * arguments arrive in small fragments, usage and the terminal events. Divide the body size (printed
 * at set-up) and 2,000 events by the time per op for MB/s and events/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProviderStreamBenchmark {
    static final int EVENTS = 2_000;
    static final int PIECE = 16 * 1024;

    private @Nullable AnthropicChatModel anthropic;
    private @Nullable OpenAiChatModel openAi;
    private List<ByteBuffer> anthropicBody = List.of();
    private List<ByteBuffer> openAiBody = List.of();

    @Setup
    public void setUp() {
        anthropic = AnthropicChatModel.builder().model("m").apiKey("k").baseUrl("http://127.0.0.1:9").build();
        openAi = OpenAiChatModel.builder().model("m").apiKey("k").baseUrl("http://127.0.0.1:9/v1").build();
        anthropicBody = pieces(anthropicStream());
        openAiBody = pieces(openAiStream());
        check(anthropic());
        check(openAi());
        System.out.printf("%nAnthropic body: %d bytes, OpenAI body: %d bytes, %d events each%n",
                size(anthropicBody), size(openAiBody), EVENTS);
    }

    @Benchmark
    public ChatResponse anthropic() {
        return assemble(anthropic.replay(Flux.fromIterable(anthropicBody).map(ByteBuffer::duplicate)));
    }

    @Benchmark
    public ChatResponse openAi() {
        return assemble(openAi.replay(Flux.fromIterable(openAiBody).map(ByteBuffer::duplicate)));
    }

    private static ChatResponse assemble(Flux<dev.agentrt.core.model.ChatEvent> events) {
        var assembler = new ReplyAssembler();
        events.doOnNext(assembler::accept).blockLast();
        return assembler.finish();
    }

    private static void check(ChatResponse r) {
        if (r.message().toolCalls().size() != 1
                || !(JsonValue.parse(r.message().toolCalls().get(0).arguments()) instanceof JsonValue)
                || r.message().text().isEmpty()) {
            throw new IllegalStateException("the benchmark stream did not assemble: " + r);
        }
    }

    /** Half the events are text deltas, half are argument fragments of one tool call. */
    static String anthropicStream() {
        var sb = new StringBuilder();
        sb.append(sse("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,"
                + "\"usage\":{\"input_tokens\":1200,\"output_tokens\":1}}}"));
        sb.append(sse("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        int text = EVENTS / 2 - 3;
        for (int i = 0; i < text; i++) {
            sb.append(sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"word " + i + " and é \"}}"));
        }
        sb.append(sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"write_file\",\"input\":{}}}"));
        var args = arguments(EVENTS / 2 - 3);
        for (String fragment : args) {
            sb.append(sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
                    + "{\"type\":\"input_json_delta\",\"partial_json\":" + JsonValue.of(fragment).toJson() + "}}"));
        }
        sb.append(sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":2000}}"));
        sb.append(sse("message_stop", "{\"type\":\"message_stop\"}"));
        return sb.toString();
    }

    static String openAiStream() {
        var sb = new StringBuilder();
        String head = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\","
                + "\"choices\":[{\"index\":0,\"delta\":";
        int text = EVENTS / 2 - 2;
        for (int i = 0; i < text; i++) {
            sb.append("data: ")
                    .append(head)
                    .append("{\"content\":\"word ")
                    .append(i)
                    .append(" and é \"}")
                    .append(",\"finish_reason\":null}]}\n\n");
        }
        sb.append("data: ")
                .append(head)
                .append("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"write_file\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");
        for (String fragment : arguments(EVENTS / 2 - 1)) {
            sb.append("data: ")
                    .append(head)
                    .append("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":")
                    .append(JsonValue.of(fragment).toJson())
                    .append("}}]},\"finish_reason\":null}]}\n\n");
        }
        sb.append("data: ").append(head).append("{},\"finish_reason\":\"tool_calls\"}]}\n\n");
        sb.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":2000}}\n\n");
        sb.append("data: [DONE]\n\n");
        return sb.toString();
    }

    /** A JSON object {"path": ..., "content": "..."} cut into {@code n} fragments of a few characters. */
    static List<String> arguments(int n) {
        var content = new StringBuilder();
        while (content.length() < n * 6) {
            content.append("line \\\"quoted\\\" é\\n");
        }
        String json = "{\"path\":\"src/Main.java\",\"content\":\"" + content + "\"}";
        var out = new ArrayList<String>(n);
        int step = json.length() / n;
        for (int i = 0; i < n; i++) {
            out.add(json.substring(i * step, i == n - 1 ? json.length() : (i + 1) * step));
        }
        return out;
    }

    private static String sse(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }

    private static List<ByteBuffer> pieces(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        var out = new ArrayList<ByteBuffer>();
        for (int i = 0; i < bytes.length; i += PIECE) {
            out.add(ByteBuffer.wrap(bytes, i, Math.min(PIECE, bytes.length - i)).slice());
        }
        return List.copyOf(out);
    }

    private static int size(List<ByteBuffer> body) {
        return body.stream().mapToInt(ByteBuffer::remaining).sum();
    }
}
