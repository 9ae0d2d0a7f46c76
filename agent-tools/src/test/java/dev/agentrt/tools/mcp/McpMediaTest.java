package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Images and sounds from MCP servers reach the model: server-everything's {@code get-tiny-image} and
 * {@code get-annotated-message} results carry their PNG as media, and sampling requests with image and audio
 * messages (sent by {@code src/test/npm/asking-server.mjs} on the TypeScript SDK) are passed to the model.
 */
class McpMediaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The PNG server-everything returns, read from the installed server itself. */
    private static String tinyImage() throws Exception {
        String js = Files.readString(TestServers.NPM.resolve(
                "@modelcontextprotocol/server-everything/dist/tools/get-tiny-image.js"));
        Matcher m = Pattern.compile("MCP_TINY_IMAGE = \"([A-Za-z0-9+/=]+)\"").matcher(js);
        assertThat(m.find()).as("the image constant in get-tiny-image.js").isTrue();
        return m.group(1);
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, args), ToolExecution.of("t", Principal.ANONYMOUS,
                        Grants.of(tools.capability())))
                .block(WAIT);
    }

    @Test
    void aToolsImageBecomesMediaOnTheResultAndTheTextSaysItWasAttached() throws Exception {
        Media.Image png = new Media.Image("image/png", tinyImage(), null);
        try (McpTools tools = McpTools.builder("everything", TestServers.everything()).connect().block(WAIT)) {
            ToolResult tiny = call(tools, "get-tiny-image", "{}");

            assertThat(tiny.isError()).as(tiny.content()).isFalse();
            assertThat(tiny.media()).containsExactly(png);
            assertThat(png.bytes()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
            assertThat(tiny.content()).isEqualTo("Here's the image you requested:\n[image image/png, "
                    + png.size() + " bytes, attached as attachment 1]\nThe image above is the MCP logo.");

            ToolResult annotated = call(tools, "get-annotated-message",
                    "{\"messageType\":\"success\",\"includeImage\":true}");
            assertThat(annotated.media()).containsExactly(png);
            assertThat(annotated.content()).contains("attached as attachment 1");
        }
    }

    @Test
    void mediaAreAttachedUpToTheCapAndTheTextSaysWhyTheOthersWereNot() {
        Media.Image png = new Media.Image("image/png", "iVBORw0KGgo=", null);
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("media")).connect().block(WAIT)) {
            ToolResult r = call(tools, "ping", "{}");

            assertThat(r.media()).hasSize(8);
            assertThat(r.media().getFirst()).isEqualTo(new Media.Audio("audio/wav", "UklGRg=="));
            assertThat(r.media().subList(1, 8)).containsOnly(png);
            List<String> lines = r.content().lines().toList();
            assertThat(lines).hasSize(13);
            assertThat(lines.subList(0, 5)).containsExactly("media:",
                    "[audio audio/wav, 4 bytes, attached as attachment 1]",
                    "[image image/svg+xml, 6 bytes, not attached: Unsupported image MIME type \"image/svg+xml\"; "
                            + "accepted: [image/gif, image/jpeg, image/png, image/webp]]",
                    "[image image/png, 8 bytes, not attached: The image data is not standard base64: Illegal base64 "
                            + "character 20]",
                    "[image image/png, 8 bytes, attached as attachment 2]");
            assertThat(lines.get(10)).isEqualTo("[image image/png, 8 bytes, attached as attachment 8]");
            assertThat(lines.subList(11, 13)).containsOnly(
                    "[image image/png, 8 bytes, not attached: more than 8 images and sounds in one result]");
        }
    }

    @Test
    void theAgentSendsTheToolsImageToTheModelWithTheResult() throws Exception {
        Media.Image png = new Media.Image("image/png", tinyImage(), null);
        var call = new ToolCall("call-1", "get-tiny-image", "{}");
        var model = ScriptedChatModel.of(Reply.toolCalls(call), Reply.text("It is the MCP logo."));
        try (McpTools tools = McpTools.builder("everything", TestServers.everything()).connect().block(WAIT)) {
            Agent agent = Agent.builder().model(model).tools(tools).grant(tools.capability()).build();

            assertThat(agent.task("Show me the logo").executeBlocking().text()).isEqualTo("It is the MCP logo.");

            assertThat(model.lastRequest().messages().getLast()).isInstanceOfSatisfying(Message.ToolResult.class,
                    r -> {
                        assertThat(r.callId()).isEqualTo("call-1");
                        assertThat(r.error()).isFalse();
                        assertThat(r.media()).containsExactly(png);
                    });
        }
    }

    private static McpTransportSpec asking() {
        return McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("asking-server.mjs"));
    }

    @Test
    void samplingMessagesWithAnImageAndASoundAreGivenToTheModel() {
        var model = ScriptedChatModel.of(Reply.text("A logo and a beep."));
        String wav = Base64.getEncoder().encodeToString("RIFF....WAVE".getBytes());
        try (McpTools tools = McpTools.builder("asking", asking())
                .sampling(model, McpSamplingOptions.approvedBy(r -> Mono.just(Decision.approveOnce())))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "sample", "{\"params\":{\"messages\": ["
                    + "{\"role\": \"user\", \"content\": {\"type\": \"text\", \"text\": \"What are these?\"}},"
                    + "{\"role\": \"user\", \"content\": {\"type\": \"image\", \"data\": \"iVBORw0KGgo=\","
                    + " \"mimeType\": \"image/png\"}},"
                    + "{\"role\": \"user\", \"content\": {\"type\": \"audio\", \"data\": \"" + wav + "\","
                    + " \"mimeType\": \"audio/wav\"}}],"
                    + "\"maxTokens\": 20}}");

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(JsonValue.parse(r.content()).asObject().get("content")).isEqualTo(JsonValue.parse(
                    "{\"type\": \"text\", \"text\": \"A logo and a beep.\"}"));
            assertThat(model.lastRequest().messages()).containsExactly(Message.user("What are these?"),
                    Message.user("", List.of(new Media.Image("image/png", "iVBORw0KGgo=", null))),
                    Message.user("", List.of(new Media.Audio("audio/wav", wav))));
        }
    }

    @Test
    void samplingMediaTheClientCannotPassAreRefusedBeforeTheApproverOrTheModel() {
        var model = ScriptedChatModel.of(Reply.text("never sent"));
        var asked = new AtomicBoolean();
        try (McpTools tools = McpTools.builder("asking", asking())
                .sampling(model, McpSamplingOptions.approvedBy(r -> {
                    asked.set(true);
                    return Mono.just(Decision.approveOnce());
                }))
                .connect()
                .block(WAIT)) {
            ToolResult svg = call(tools, "sample", """
                    {"params": {"messages": [{"role": "user",
                                   "content": {"type": "image", "data": "PHN2Zy8+", "mimeType": "image/svg+xml"}}],
                     "maxTokens": 10}}
                    """);
            assertThat(svg.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(svg.content()).startsWith("-32602: ")
                    .contains("message 1 has image content the client "
                            + "cannot pass to its model: Unsupported image MIME type \"image/svg+xml\"");

            ToolResult fromAssistant = call(tools, "sample", """
                    {"params": {"messages": [{"role": "assistant",
                                   "content": {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}}],
                     "maxTokens": 10}}
                    """);
            assertThat(fromAssistant.content()).startsWith("-32602: ")
                    .contains("message 1 is an assistant message with image content");

            assertThat(asked).isFalse();
            assertThat(model.requests()).isEmpty();
        }
    }
}
