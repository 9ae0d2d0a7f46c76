package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.test.StepVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An MCP server's resources as the model's tools ({@code read_resource}, {@code list_resources}) and
 * its prompts as the application's messages, against the reference server-everything from npm (over
 * stdio and streamable HTTP) and a server of ours on the official TypeScript SDK
 * ({@code src/test/npm/resource-server.mjs}) for what server-everything does not do: pages of
 * resources, a huge one, one whose read fails.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpResourcesAndPromptsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern LINK = Pattern.compile("\\[resource link (\\S+) \\(");
    private static McpTools everything;
    private Leaks leaks;

    @BeforeAll
    static void connect() {
        everything = McpTools.connect("everything", TestServers.everything()).block(WAIT);
    }

    @AfterAll
    static void close() {
        if (everything != null) {
            everything.close();
        }
    }

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        leaks.assertNoProcessesLeft();
    }

    private static McpTransportSpec resourceServer(String mode) {
        return McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("resource-server.mjs"), mode);
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        return call(tools, tool, args, Grants.of(tools.capability()));
    }

    private static ToolResult call(McpTools tools, String tool, String args, Grants grants) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, args), ToolExecution.of("t", Principal.ANONYMOUS, grants))
                .block(WAIT);
    }

    private static String read(McpTools tools, String uri) {
        ToolResult r = call(tools, "read_resource", "{\"uri\":\"" + uri + "\"}");
        assertThat(r.isError()).as(r.content()).isFalse();
        return r.content();
    }

    private static List<String> names(McpTools tools) {
        return tools.tools().stream().map(t -> t.spec().name()).toList();
    }

    @Test
    void aServerWithResourcesGetsTheResourceToolsNamedLikeItsOwn() {
        assertThat(names(everything)).contains("echo", "read_resource", "list_resources");
        Tool read = everything.tools()
                .stream()
                .filter(t -> t.spec().name().equals("read_resource"))
                .findFirst()
                .orElseThrow();
        assertThat(read.spec().description()).contains("MCP server 'everything'").contains("99000 characters");
        assertThat(read.spec().parameters().getArray("required").orElseThrow().toJson()).isEqualTo("[\"uri\"]");
        assertThat(read.idempotent()).isTrue();
        assertThat(read.requiredCapabilities(dev.agentrt.core.json.JsonObject.builder().build()))
                .containsExactly(McpTools.capability("everything", "resources/read"));

        try (McpTools prefixed = McpTools.builder("ev", TestServers.everything())
                .prefixNames(true)
                .allowTools("echo", "read_resource", "list_resources")
                .connect()
                .block(WAIT)) {
            assertThat(names(prefixed)).containsExactly("ev_echo", "ev_read_resource", "ev_list_resources");
            ToolResult listing = call(prefixed, "ev_list_resources", "{}");
            assertThat(listing.content()).contains("read one with ev_read_resource and its URI");
            ToolResult r = call(prefixed, "ev_read_resource",
                    "{\"uri\":\"demo://resource/static/document/features.md\"}");
            assertThat(r.content()).startsWith("[resource demo://resource/static/document/features.md, text/markdown]");
        }
    }

    @Test
    void anAllowListOffersTheResourceToolsOnlyWhenItNamesThem() {
        try (McpTools echoOnly = McpTools.builder("e1", TestServers.everything())
                .allowTools("echo")
                .connect()
                .block(WAIT)) {
            assertThat(names(echoOnly)).containsExactly("echo");
        }
        try (McpTools readOnly = McpTools.builder("e2", TestServers.everything())
                .allowTools("echo", "read_resource")
                .connect()
                .block(WAIT)) {
            assertThat(names(readOnly)).containsExactly("echo", "read_resource");
        }
    }

    @Test
    void aServerWithoutTheResourcesCapabilityGetsNoResourceToolsAndNoPrompts() {
        try (McpTools plain = McpTools.connect("plain", TestServers.fake("ok")).block(WAIT)) {
            assertThat(names(plain)).containsExactly("ping");
            StepVerifier.create(plain.prompts()).expectNext(List.of()).verifyComplete();
            StepVerifier.create(plain.prompt("anything", Map.of()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                            .hasMessage("MCP server 'plain' has no prompt 'anything': it offers no prompts (it does "
                                    + "not declare the prompts capability)"))
                    .verify(WAIT);
        }
    }

    @Test
    void listResourcesShowsTheServersDocumentsAndItsTemplates() throws Exception {
        ToolResult listing = call(everything, "list_resources", "{}");

        assertThat(listing.isError()).as(listing.content()).isFalse();
        long docs;
        try (var files = Files.list(TestServers.NPM.resolve("@modelcontextprotocol/server-everything/dist/docs"))) {
            docs = files.count();
        }
        assertThat(listing.content())
                .startsWith("Resources of the MCP server 'everything' (" + docs
                        + "); read one with read_resource and its URI:\n")
                .contains("- demo://resource/static/document/features.md (features.md, text/markdown): Static "
                        + "document file exposed from /docs: features.md")
                .contains("Resource templates (2): fill in the {placeholders} to make the URI of a resource:\n")
                .contains("- demo://resource/dynamic/text/{resourceId} (Dynamic Text Resource, text/plain): "
                        + "Plaintext dynamic resource")
                .contains("- demo://resource/dynamic/blob/{resourceId} (Dynamic Blob Resource, "
                        + "application/octet-stream)")
                .doesNotContain("cut");
    }

    @Test
    void readResourceGivesADocumentsTextUnderItsUriAndMimeType() throws Exception {
        String features = Files.readString(
                TestServers.NPM.resolve("@modelcontextprotocol/server-everything/dist/docs/features.md"));

        assertThat(read(everything, "demo://resource/static/document/features.md")).isEqualTo(
                "[resource demo://resource/static/document/features.md, text/markdown]\n" + features);
        assertThat(read(everything, "demo://resource/dynamic/text/7"))
                .startsWith("[resource demo://resource/dynamic/text/7, text/plain]\n"
                        + "Resource 7: This is a plaintext resource created at ");
    }

    @Test
    void aResourceLinkFromAToolIsReadWithReadResourceAndABlobIsDescribedNotDumped() {
        ToolResult links = call(everything, "get-resource-links", "{\"count\":2}");

        assertThat(links.isError()).as(links.content()).isFalse();
        // server-everything labels its blobs text/plain (the base64 of a sentence), and so describes them.
        assertThat(links.content()).isEqualTo("""
                Here are 2 resource links to resources available in this server:
                [resource link demo://resource/dynamic/blob/1 (Blob Resource 1, text/plain): \
                Resource 1: plaintext resource]
                [resource link demo://resource/dynamic/text/2 (Text Resource 2, text/plain): \
                Resource 2: plaintext resource]""");
        var uris = new ArrayList<String>();
        Matcher m = LINK.matcher(links.content());
        while (m.find()) {
            uris.add(m.group(1));
        }
        assertThat(uris).hasSize(2);
        String blob = read(everything, uris.get(0));
        assertThat(blob)
                .matches("\\[binary resource demo://resource/dynamic/blob/1, text/plain, \\d+ bytes; not shown]");
        assertThat(read(everything, uris.get(1))).startsWith(
                "[resource demo://resource/dynamic/text/2, text/plain]\nResource 2: This is a plaintext resource");
    }

    @Test
    void embeddedResourcesInAToolResultReachTheModelTextIncludedBinaryDescribed() {
        ToolResult text = call(everything, "get-resource-reference", "{\"resourceType\":\"Text\",\"resourceId\":3}");
        assertThat(text.content()).startsWith("Returning resource reference for Resource 3:\n"
                + "[resource demo://resource/dynamic/text/3, text/plain]\n"
                + "Resource 3: This is a plaintext resource created at ")
                .endsWith("You can access this resource using the URI: demo://resource/dynamic/text/3");

        ToolResult blob = call(everything, "get-resource-reference", "{\"resourceType\":\"Blob\",\"resourceId\":3}");
        assertThat(blob.content()).matches("(?s)Returning resource reference for Resource 3:\n"
                + "\\[binary resource demo://resource/dynamic/blob/3, text/plain, \\d+ bytes; not shown]\n"
                + "You can access this resource using the URI: demo://resource/dynamic/blob/3");
    }

    @Test
    void anUnknownUriIsAnErrorResultAndTheSessionGoesOn() {
        ToolResult r = call(everything, "read_resource", "{\"uri\":\"demo://resource/no/such\"}");

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).startsWith("MCP server 'everything' could not read resource "
                + "\"demo://resource/no/such\": the server answered with error ")
                .contains("demo://resource/no/such");
        ToolResult missing = call(everything, "read_resource", "{}");
        assertThat(missing.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(read(everything, "demo://resource/dynamic/text/1")).contains("Resource 1:");
    }

    @Test
    void theGrantsDecideAndADenialIsExplained() {
        Grants echoOnly = Grants.of(McpTools.capability("everything", "echo"));
        ToolResult denied = call(everything, "read_resource", "{\"uri\":\"demo://resource/dynamic/text/1\"}",
                echoOnly);
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("mcp:everything:resources/read");

        Grants readOnly = Grants.of(McpTools.capability("everything", "resources/read"));
        assertThat(call(everything, "read_resource", "{\"uri\":\"demo://resource/dynamic/text/1\"}", readOnly)
                .isError()).isFalse();
        ToolResult list = call(everything, "list_resources", "{}", readOnly);
        assertThat(list.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(list.content()).contains("mcp:everything:resources/list");
    }

    @Test
    void anAgentWithoutTheGrantHearsOfTheDenialAndTheServerIsNotAsked() {
        var model = ScriptedChatModel.of(
                ScriptedChatModel.Reply.toolCall("read_resource", "{\"uri\":\"demo://resource/dynamic/text/1\"}"),
                ScriptedChatModel.Reply.text("done"));
        Agent agent = Agent.builder()
                .model(model)
                .tools(everything)
                .grant(McpTools.capability("everything", "echo"))
                .build();

        List<AgentEvent> events = agent.task("read it").stream().collectList().block(WAIT);

        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((AgentEvent.PermissionDenied) e).missing())
                        .containsExactly(Capability.custom("mcp:everything", "resources/read")));
        Message.ToolResult result = model.requests()
                .get(1)
                .messages()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(result.error()).isTrue();
        assertThat(result.content()).contains("mcp:everything:resources/read").doesNotContain("Resource 1:");
    }

    @Test
    void listingFollowsTheServersCursorsAcrossPages() {
        try (McpTools res = McpTools.connect("res", resourceServer("paged")).block(WAIT)) {
            assertThat(names(res)).containsExactly("read_resource", "list_resources");
            assertThat(call(res, "list_resources", "{}").content()).isEqualTo("""
                    Resources of the MCP server 'res' (6); read one with read_resource and its URI:
                    - note://one (one, text/plain): The first note
                    - note://two (two, text/plain)
                    - bin://blob (blob, application/octet-stream, 1024 bytes)
                    - big://text (big, text/plain, 300000 bytes)
                    - broken://fails (broken): Cannot be read
                    - two://parts (parts, text/plain)
                    Resource templates (1): fill in the {placeholders} to make the URI of a resource:
                    - note://{name} (note, text/plain): Any note by name""");
            assertThat(read(res, "two://parts")).isEqualTo("""
                    [resource two://parts#a]
                    part a
                    [resource two://parts#b, text/markdown]
                    part b""");
            assertThat(read(res, "bin://blob")).isEqualTo(
                    "[binary resource bin://blob, application/octet-stream, 1024 bytes; not shown]");
        }
    }

    @Test
    void aServerWithoutResourceTemplatesStillListsItsResourcesAndSaysWhyTheTemplatesAreMissing() {
        try (McpTools res = McpTools.connect("res", resourceServer("no-templates")).block(WAIT)) {
            ToolResult listing = call(res, "list_resources", "{}");
            assertThat(listing.isError()).as(listing.content()).isFalse();
            assertThat(listing.content()).contains("- two://parts (parts, text/plain)\n")
                    .endsWith("Resource templates: not listed (the server answered with error -32601: Method not "
                            + "found)");
        }
    }

    @Test
    void aListingWithoutEndIsCutAndTheResultSaysSo() {
        try (McpTools res = McpTools.connect("res", resourceServer("endless")).block(WAIT)) {
            String listing = call(res, "list_resources", "{}").content();
            assertThat(listing).startsWith("Resources of the MCP server 'res' (200);")
                    .contains("- many://1/49 (r1-49)\n[the listing was cut at 200 resources; the server has more]")
                    .doesNotContain("many://1/50");
        }
    }

    @Test
    void aHugeResourceIsCutAtTheLimitAndTheResultSaysSo() {
        try (McpTools res = McpTools.connect("res", resourceServer("paged")).block(WAIT)) {
            String header = "[resource big://text, text/plain]\n";
            String text = read(res, "big://text");
            assertThat(text).startsWith(header + "xxxx")
                    .endsWith("x\n[... cut: the resource's contents are " + (header.length() + 300_000)
                            + " characters long; only the first " + McpTools.MAX_RESOURCE_CHARS + " are shown]");
            assertThat(text.indexOf("\n[... cut")).isEqualTo(McpTools.MAX_RESOURCE_CHARS);
            assertThat(text).hasSizeLessThanOrEqualTo(ToolRegistry.MAX_RESULT_CHARS);
        }
    }

    @Test
    void aServerThatAnswersAReadWithAnErrorGivesAnErrorResult() {
        try (McpTools res = McpTools.connect("res", resourceServer("paged")).block(WAIT)) {
            ToolResult broken = call(res, "read_resource", "{\"uri\":\"broken://fails\"}");
            assertThat(broken.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(broken.content()).isEqualTo("MCP server 'res' could not read resource \"broken://fails\": "
                    + "the server answered with error -32603: the disk is on fire.");
            ToolResult unknown = call(res, "read_resource", "{\"uri\":\"note://three\"}");
            assertThat(unknown.content()).isEqualTo("MCP server 'res' could not read resource \"note://three\": "
                    + "the server answered with error -32002: Resource not found ({\"uri\":\"note://three\"}).");
            assertThat(read(res, "note://one")).isEqualTo("[resource note://one, text/plain]\nfirst note");
        }
    }

    @Test
    void aServerThatDiesDuringAReadFailsItAndTheNextReadStartsItAgain() {
        try (McpTools res = McpTools.connect("res", resourceServer("paged")).block(WAIT)) {
            long first = res.pid().orElseThrow();
            ToolResult crash = call(res, "read_resource", "{\"uri\":\"crash://now\"}");
            assertThat(crash.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(crash.content()).startsWith("MCP server 'res' could not read resource \"crash://now\": ")
                    .contains("exited with code 3")
                    .contains("crashing on resources/read");

            assertThat(read(res, "note://two")).isEqualTo("[resource note://two, text/plain]\nsecond note");
            assertThat(res.pid()).isNotEmpty().isNotEqualTo(java.util.OptionalLong.of(first));
        }
    }

    @Test
    void aReadOrAPromptTheServerNeverAnswersEndsAtTheCallTimeout() {
        // The server never answers these: only the timeout can end them, whatever the machine's speed.
        try (McpTools res = McpTools.builder("res", resourceServer("prompts"))
                .callTimeout(Duration.ofMillis(300))
                .connect()
                .block(WAIT)) {
            ToolResult hung = call(res, "read_resource", "{\"uri\":\"hang://forever\"}");
            assertThat(hung.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
            assertThat(hung.content()).isEqualTo("MCP server 'res' could not read resource \"hang://forever\": "
                    + "it did not answer within 300 ms.");
            // The listing that checks the name comes first, under the same timeout: whichever of the two
            // the timeout ends, the error names the server and the timeout.
            StepVerifier.create(res.prompt("wait", Map.of()))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ToolException.class)
                            .hasMessageStartingWith("MCP server 'res' could not ")
                            .hasMessageEndingWith(": it did not answer within 300 ms"))
                    .verify(WAIT);
        }
    }

    @Test
    void aPromptsAssistantMessagesBecomeAssistantMessages() {
        try (McpTools res = McpTools.connect("res", resourceServer("prompts")).block(WAIT)) {
            assertThat(res.prompts().block(WAIT)).containsExactly(
                    new McpPrompt("greet", "", "Greets someone", List.of(new McpPrompt.Argument("name", "", true))),
                    new McpPrompt("wait", "", "Never answers", List.of()));
            StepVerifier.create(res.prompt("greet", Map.of("name", "Ada")))
                    .expectNext(List.of(Message.user("Say hello to Ada"), Message.assistant("Hello, Ada!")))
                    .verifyComplete();
        }
    }

    @Test
    void aReadAfterCloseIsAnErrorResult() {
        McpTools res = McpTools.connect("res", resourceServer("paged")).block(WAIT);
        res.close();
        ToolResult r = call(res, "read_resource", "{\"uri\":\"note://one\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).isEqualTo(
                "MCP server 'res' could not read resource \"note://one\": the connection was closed.");
    }

    @Test
    void promptsAreListedWithTheirArguments() {
        List<McpPrompt> prompts = everything.prompts().block(WAIT);

        assertThat(prompts).extracting(McpPrompt::name)
                .containsExactly("simple-prompt", "args-prompt", "completable-prompt", "resource-prompt");
        assertThat(prompts.get(0)).isEqualTo(
                new McpPrompt("simple-prompt", "Simple Prompt", "A prompt with no arguments", List.of()));
        // server-everything's optional argument loses its description on the way (zod's optional() wraps it).
        assertThat(prompts.get(1).arguments()).containsExactly(
                new McpPrompt.Argument("city", "Name of the city", true), new McpPrompt.Argument("state", "", false));
    }

    @Test
    void aPromptBecomesCoreMessages() {
        StepVerifier.create(everything.prompt("simple-prompt", Map.of()))
                .expectNext(List.of(Message.user("This is a simple prompt without arguments.")))
                .verifyComplete();
        StepVerifier.create(everything.prompt("args-prompt", Map.of("city", "Lyon")))
                .expectNext(List.of(Message.user("What's weather in Lyon?")))
                .verifyComplete();
        List<Message> embedded = everything.prompt("resource-prompt", Map.of("resourceType", "Text", "resourceId", "4"))
                .block(WAIT);
        assertThat(embedded).hasSize(2);
        assertThat(embedded.get(0)).isEqualTo(Message.user(
                "This prompt includes the Text resource with id: 4. Please analyze the following resource:"));
        assertThat(((Message.User) embedded.get(1)).text()).startsWith(
                "[resource demo://resource/dynamic/text/4, text/plain]\nResource 4: This is a plaintext resource");
    }

    @Test
    void anUnknownPromptOrAWrongArgumentIsAClearErrorAndNothingIsSent() {
        StepVerifier.create(everything.prompt("no-such-prompt", Map.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("MCP server 'everything' has no prompt 'no-such-prompt'; its prompts: "
                                + "simple-prompt, args-prompt, completable-prompt, resource-prompt"))
                .verify(WAIT);
        StepVerifier.create(everything.prompt("args-prompt", Map.of("state", "Texas")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("prompt 'args-prompt' of MCP server 'everything' needs the argument 'city' "
                                + "(Name of the city)"))
                .verify(WAIT);
        StepVerifier.create(everything.prompt("args-prompt", Map.of("city", "Lyon", "zip", "69001")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("prompt 'args-prompt' of MCP server 'everything' has no argument 'zip'; its "
                                + "arguments: city, state"))
                .verify(WAIT);
    }

    @Test
    void aPromptTheServerFailsToMakeIsAToolExceptionNamingTheServer() {
        StepVerifier.create(everything.prompt("resource-prompt", Map.of("resourceType", "Video", "resourceId", "1")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ToolException.class)
                        .hasMessageStartingWith("MCP server 'everything' could not get prompt 'resource-prompt': "
                                + "the server answered with error ")
                        .hasMessageContaining("Invalid resourceType: Video"))
                .verify(WAIT);
    }

    @Test
    void overStreamableHttpResourcesAndPromptsWorkTheSame() throws Exception {
        int port = TestServers.freePort();
        var builder = new ProcessBuilder(TestServers.node(), TestServers.npmServer("server-everything"),
                "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process server = builder.start();
        try (var stderr = server.errorReader()) {
            String line;
            while ((line = stderr.readLine()) != null && !line.contains("listening")) {
                // wait for the server to listen
            }
            assertThat(line).as("server-everything did not start listening").isNotNull();
            try (McpTools http = McpTools.builder("remote", McpTransportSpec.http("http://127.0.0.1:" + port + "/mcp"))
                    .connect()
                    .block(WAIT)) {
                assertThat(names(http)).contains("read_resource", "list_resources");
                assertThat(call(http, "list_resources", "{}").content())
                        .contains("- demo://resource/static/document/features.md");
                assertThat(read(http, "demo://resource/dynamic/text/5")).startsWith(
                        "[resource demo://resource/dynamic/text/5, text/plain]\nResource 5:");
                ToolResult unknown = call(http, "read_resource", "{\"uri\":\"demo://resource/no/such\"}");
                assertThat(unknown.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
                assertThat(http.prompt("args-prompt", Map.of("city", "Oslo", "state", "Viken")).block(WAIT))
                        .containsExactly(Message.user("What's weather in Oslo, Viken?"));
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }
}
