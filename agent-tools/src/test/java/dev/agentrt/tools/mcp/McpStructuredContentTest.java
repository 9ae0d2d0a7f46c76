package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Structured tool results both ways: a tool of ours that returns a record is offered with that record's JSON
 * Schema as its {@code outputSchema} and answers with {@code structuredContent} (checked by our client and by the
 * TypeScript SDK's, which both refuse a result that breaks the schema); our client checks a server's structured
 * results against its output schema; images and sounds in our tools' results and prompts reach an MCP client as
 * such. The timeouts
 * are hang guards only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpStructuredContentTest {
    private static final Duration GUARD = Duration.ofSeconds(60);
    private final List<AutoCloseable> open = new ArrayList<>();
    private Leaks leaks;

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        leaks.assertNoThreadsLeft("HTTP-Dispatcher", "agentrt-mcp-", "HttpClient-");
        leaks.assertNoProcessesLeft();
    }

    /** Our client on our server over streamable HTTP, both in this JVM. */
    private McpTools ourClientOnOurServer() {
        McpHttpServer server = McpServer.builder(StructuredServerMain.tools())
                .name("structured-test")
                .prompt("describe", "Describe a chart", List.of(), args -> List.of(
                        Message.user("Describe this chart.", List.of(Media.image("image/png", StructuredServerMain.PNG),
                                Media.audio("audio/wav", StructuredServerMain.PNG))),
                        Message.assistant("It rises.")))
                .prompt("linked", null, List.of(), args -> List.of(
                        Message.user("Look:",
                                List.of(Media.image("image/png", URI.create("https://example.com/c.png"))))))
                .grants(Grants.none())
                .build()
                .serveHttp();
        open.add(server);
        return keep(McpTools.builder("weather", McpTransportSpec.http(server.url().toString())).connect().block(GUARD));
    }

    private McpTools keep(McpTools tools) {
        open.add(tools);
        return tools;
    }

    private static ToolResult call(McpTools tools, String tool, String arguments) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c", tool, arguments),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(GUARD);
    }

    private static ToolSpec spec(McpTools tools, String name) {
        return tools.tools().stream().map(Tool::spec).filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aToolReturningARecordIsOfferedWithItsSchemaAndAnswersWithStructuredContent() {
        McpTools tools = ourClientOnOurServer();
        JsonObject schema = TypeSchema.of(StructuredServerMain.Weather.class, TypeSchema.Mode.LENIENT);
        assertThat(spec(tools, "weather").outputSchema()).isEqualTo(schema);
        assertThat(spec(tools, "forecast").outputSchema()).as("a tool returning text promises no structure").isNull();
        assertThat(spec(tools, "chart").outputSchema()).as("a ToolResult has no fixed structure").isNull();

        // Our client refuses a result without structuredContent or against the schema: these passed its check.
        ToolResult paris = call(tools, "weather", "{\"city\":\"Paris\"}");
        assertThat(paris.isError()).as(paris.content()).isFalse();
        assertThat(JsonValue.parse(paris.content()))
                .isEqualTo(JsonValue.parse("{\"city\":\"Paris\",\"celsius\":11.5,\"sky\":\"cloudy\"}"));
        ToolResult oslo = call(tools, "weather", "{\"city\":\"Oslo\"}");
        assertThat(oslo.isError()).as(oslo.content()).isFalse();
        assertThat(JsonValue.parse(oslo.content()).asObject().getDouble("celsius")).contains(11.5);
        assertThat(call(tools, "forecast", "{\"city\":\"Paris\"}").content()).isEqualTo("Rain in Paris");
    }

    @Test
    void aToolThatBreaksItsOwnOutputSchemaAnswersWithAnErrorNotWithABrokenResult() {
        McpTools tools = ourClientOnOurServer();
        assertThat(spec(tools, "nothing").outputSchema()).isNotNull();
        ToolResult nothing = call(tools, "nothing", "{}");
        assertThat(nothing.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(nothing.content()).contains("\"nothing\" returned no JSON object, which its output schema promises");
        // The server goes on serving.
        assertThat(call(tools, "weather", "{\"city\":\"Rome\"}").isError()).isFalse();
    }

    @Test
    void imagesInOurToolsResultsReachAnMcpClientAsImages() {
        McpTools tools = ourClientOnOurServer();
        ToolResult chart = call(tools, "chart", "{}");
        assertThat(chart.isError()).as(chart.content()).isFalse();
        assertThat(chart.content()).contains("the week's chart");
        assertThat(chart.media()).hasSize(1);
        Media.Image image = (Media.Image) chart.media().getFirst();
        assertThat(image.mimeType()).isEqualTo("image/png");
        assertThat(image.bytes()).isEqualTo(StructuredServerMain.PNG);
    }

    @Test
    void aServedPromptsImagesAndSoundsReachTheClientAsMedia() {
        McpTools tools = ourClientOnOurServer();
        List<Message> messages = tools.prompt("describe", Map.of()).block(GUARD);
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0)).isEqualTo(Message.user("Describe this chart."));
        Message.User image = (Message.User) messages.get(1);
        assertThat(image.text()).isEmpty();
        assertThat(((Media.Image) image.media().getFirst()).bytes()).isEqualTo(StructuredServerMain.PNG);
        Message.User sound = (Message.User) messages.get(2);
        assertThat(sound.media().getFirst()).isInstanceOf(Media.Audio.class);
        assertThat(messages.get(3)).isEqualTo(Message.assistant("It rises."));
        // An image known only by its URL cannot travel in a prompt: the server says so rather than drop it.
        assertThatThrownBy(() -> tools.prompt("linked", Map.of()).block(GUARD))
                .hasMessageContaining("linked")
                .hasMessageContaining("rendered an image known only by its URL");
    }

    @Test
    void theTypeScriptSdksClientAcceptsOurStructuredResultsAndImages(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("stderr.txt");
        Process client = new ProcessBuilder(TestServers.node(), TestServers.npmScript("sdk-structured-client.mjs"),
                java, "-cp", System.getProperty("java.class.path"), StructuredServerMain.class.getName())
                .redirectError(stderr.toFile())
                .start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        String errors = Files.readString(stderr);
        assertThat(exit).as("the TypeScript client failed: %s", errors).isZero();
        JsonObject seen = JsonValue.parse(out.trim()).asObject();
        JsonObject schemas = seen.getObject("schemas").orElseThrow();
        assertThat(schemas.get("weather"))
                .isEqualTo(TypeSchema.of(StructuredServerMain.Weather.class, TypeSchema.Mode.LENIENT));
        assertThat(schemas.get("forecast")).isEqualTo(JsonValue.parse("null"));
        JsonObject paris = seen.getObject("Paris").orElseThrow();
        assertThat(paris.get("structured"))
                .isEqualTo(JsonValue.parse("{\"city\":\"Paris\",\"celsius\":11.5,\"sky\":\"cloudy\"}"));
        assertThat(JsonValue.parse(paris.getString("text").orElseThrow())).isEqualTo(paris.get("structured"));
        assertThat(paris.getBoolean("isError")).contains(false);
        assertThat(seen.getObject("Oslo").orElseThrow().getObject("structured").orElseThrow().getDouble("celsius"))
                .contains(11.5);
        assertThat(seen.getArray("chart").orElseThrow().items())
                .containsExactly(JsonValue.of("text"), JsonValue.of("image:image/png"));
    }

    @Test
    void aServersStructuredResultsAreCheckedAgainstItsOutputSchema() {
        McpTools tools = keep(McpTools.builder("fake", TestServers.fake("structured"))
                .connectTimeout(GUARD)
                .callTimeout(GUARD)
                .connect()
                .block(GUARD));
        assertThat(spec(tools, "weather").outputSchema()).isEqualTo(JsonValue.parse("""
                {"type":"object","properties":{"celsius":{"type":"number"}},"required":["celsius"]}"""));
        assertThat(spec(tools, "odd").outputSchema()).as("a schema our validator cannot compile is dropped").isNull();
        assertThat(spec(tools, "ping").outputSchema()).isNull();

        ToolResult good = call(tools, "weather", "{\"variant\":\"good\"}");
        assertThat(good.isError()).as(good.content()).isFalse();
        assertThat(good.content()).isEqualTo("{\"celsius\":11.5}");

        ToolResult wrong = call(tools, "weather", "{\"variant\":\"wrong\"}");
        assertThat(wrong.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(wrong.content()).contains("\"weather\" on server 'fake' returned a result that breaks its output "
                + "schema").contains("$.celsius: expected number").contains("The result is not used");

        ToolResult missing = call(tools, "weather", "{\"variant\":\"missing\"}");
        assertThat(missing.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(missing.content()).contains("it has no structuredContent");

        ToolResult failed = call(tools, "weather", "{\"variant\":\"failed\"}");
        assertThat(failed.errorKind()).as("an error result needs no structure")
                .isEqualTo(
                        ToolErrorKind.EXECUTION_FAILED);
        assertThat(failed.content()).isEqualTo("no weather today");

        assertThat(call(tools, "odd", "{}").isError()).as("unchecked, as it cannot be checked").isFalse();
        assertThat(call(tools, "ping", "{}").content()).isEqualTo("pong");
    }
}
