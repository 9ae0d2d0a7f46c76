package dev.agentrt.benchmarks;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.internal.chat.ChatTemplate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Chat-template rendering, the step before tokenization in every {@code LocalChatModel} request: Qwen2.5's
 * template (from agent-inference's golden corpus) for a system prompt, two tools with JSON schemas, and
 * eight turns including an assistant tool call and its result. Run with
 * {@code java -jar benchmarks/target/benchmarks.jar TemplateRenderBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TemplateRenderBenchmark {
    ChatTemplate template;
    List<Message> messages;
    List<ToolSpec> tools;

    @Setup
    public void setUp() throws IOException {
        String source;
        try (InputStream in = TemplateRenderBenchmark.class
                .getResourceAsStream("/chat-templates/Qwen-Qwen2.5-7B-Instruct.jinja")) {
            if (in == null) {
                throw new IOException("agent-inference's test-jar with chat-templates/ is not on the class path");
            }
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        template = new ChatTemplate(source, null, Map.of("eos_token", "<|im_end|>"), "Qwen2.5");
        tools = List.of(
                new ToolSpec("get_weather", "Current weather in a city.", JsonValue.parse("""
                        {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                         "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                         "days": {"type": "integer", "minimum": 1, "maximum": 16}}, "required": ["city"]}
                        """).asObject()),
                new ToolSpec("convert", "Converts an amount between currencies.", JsonValue.parse("""
                        {"type": "object", "properties": {"amount": {"type": "number", "default": 1.0},
                         "from": {"type": "string"}, "to": {"type": "string"}}, "required": ["amount", "from", "to"]}
                        """).asObject()));
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\", \"days\": 3}");
        messages = List.of(
                Message.system("You are a helpful assistant. Use the tools when they help."),
                Message.user("Hi! Can you help me plan a trip?"),
                Message.assistant("Of course. Where are you going, and when?"),
                Message.user("Paris, next week. What will the weather be?"),
                Message.assistant("", List.of(call)),
                Message.toolResult(call, "{\"temperature\": 21.5, \"sky\": \"clear\", \"rain\": 0.1}", false),
                Message.assistant("Clear skies and about 21.5 °C. Anything else?"),
                Message.user("How much is 250 euros in dollars?"));
    }

    @Benchmark
    public String renderQwen25MultiTurnWithTools() {
        return template.render(messages, tools);
    }
}
