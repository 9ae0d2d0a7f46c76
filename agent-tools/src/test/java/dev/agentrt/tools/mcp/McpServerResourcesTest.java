package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Grants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpServer}'s resources and prompts, asked for by the official TypeScript SDK's client over
 * stdio, stateful HTTP and stateless HTTP, which must all answer alike: every page of the listing,
 * reads of text, binary and memory resources, every refusal (outside the directory, a symbolic link,
 * a dangling link, a linked directory, too large, not granted) with its JSON-RPC error, and prompts
 * listed and rendered, with {@code -32602} for a missing argument or an unknown prompt. The timeouts
 * are hang guards only: no assertion depends on how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerResourcesTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, (byte) 0xFF};

    @TempDir
    Path temp;

    private Path served;
    private Path outside;
    private final List<McpHttpServer> servers = new ArrayList<>();
    private Leaks leaks;

    @BeforeEach
    void files() throws IOException {
        leaks = new Leaks();
        Path root = temp.toRealPath();
        served = Files.createDirectory(root.resolve("served"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "outside the served directory");
        Files.writeString(served.resolve("a.md"), "# A\n");
        Files.write(served.resolve("image.png"), PNG);
        Files.createDirectories(served.resolve("sub/deep"));
        Files.writeString(served.resolve("sub/b.txt"), "bee");
        Files.writeString(served.resolve("sub/deep/c.json"), "{\"c\":1}");
        Files.writeString(served.resolve("big.txt"), "x".repeat((int) ResourcesServerMain.MAX_FILE_BYTES + 1));
        Files.createSymbolicLink(served.resolve("link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(served.resolve("dangling.txt"), outside.resolve("missing.txt"));
        Files.createSymbolicLink(served.resolve("linkdir"), outside);
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        servers.forEach(McpHttpServer::close);
        leaks.assertNoThreadsLeft("HTTP-Dispatcher", "agentrt-mcp-");
        leaks.assertNoProcessesLeft();
    }

    private String uri(Path path) {
        return path.toUri().toString();
    }

    private String plan() {
        var reads = new ArrayList<String>();
        for (String name : List.of("a.md", "image.png", "sub/b.txt", "sub/deep/c.json", "big.txt", "link.txt",
                "dangling.txt",
                "linkdir/secret.txt", "sub", "missing.txt")) {
            reads.add(uri(served.resolve(name)));
        }
        reads.add(uri(outside.resolve("secret.txt")));
        reads.add("file://" + served + "/../outside/secret.txt");
        reads.add("https://example.com/a.md");
        reads.add("memory://notes/n1");
        reads.add("memory://notes/n%202%2F%C3%A9");
        reads.add("memory://notes/none");
        reads.add("memory://secret/s1");
        var gets = List.of(
                Map.of("name", "review", "arguments", Map.of("path", "a.md")),
                Map.of("name", "review", "arguments", Map.of()),
                Map.of("name", "nope", "arguments", Map.of()),
                Map.of("name", "review", "arguments", Map.of("path", "a.md", "extra", "x")),
                Map.of("name", "picky", "arguments", Map.of("n", "x")),
                Map.of("name", "broken", "arguments", Map.of()));
        return JsonValue.of(Map.of("reads", reads, "gets", gets)).toJson();
    }

    @Test
    void theTypeScriptClientListsAndReadsResourcesAndGetsPromptsOverStdio() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        JsonObject seen = typeScriptClient(java, "-cp", System.getProperty("java.class.path"),
                ResourcesServerMain.class.getName(), served.toString());
        assertServesEverything(seen);
    }

    @Test
    void theTypeScriptClientListsAndReadsResourcesAndGetsPromptsOverHttp() throws Exception {
        assertServesEverything(typeScriptClient(serve(ResourcesServerMain.builder(served), false)));
    }

    @Test
    void theTypeScriptClientListsAndReadsResourcesAndGetsPromptsFromAStatelessServer() throws Exception {
        assertServesEverything(typeScriptClient(serve(ResourcesServerMain.builder(served), true)));
    }

    private void assertServesEverything(JsonObject seen) {
        // The SDK's stateful servers add logging of their own.
        assertThat(strings(seen.getArray("capabilities").orElseThrow())).contains("prompts", "resources", "tools");
        // Two a page; links, the too-large file and the namespace not granted are not listed.
        assertThat(seen.getArray("pages").orElseThrow().items()).extracting(JsonValue::toJson)
                .containsExactly("2", "2", "2");
        JsonArray resources = seen.getArray("resources").orElseThrow();
        assertThat(resources.items()).extracting(r -> r.asObject().getString("name").orElseThrow())
                .containsExactly("a.md", "image.png", "sub/b.txt", "sub/deep/c.json", "notes/n 2/é", "notes/n1");
        JsonObject first = resources.get(0).asObject();
        assertThat(first.getString("uri")).contains(uri(served.resolve("a.md")));
        assertThat(first.getString("mimeType")).contains("text/markdown");
        assertThat(first.getLong("size")).contains(4L);
        assertThat(resources.get(1).asObject().getString("mimeType")).contains("image/png");
        assertThat(resources.get(4).asObject().getString("uri")).contains("memory://notes/n%202%2F%C3%A9");

        JsonObject reads = seen.getObject("reads").orElseThrow();
        assertText(reads, uri(served.resolve("a.md")), "text/markdown", "# A\n");
        JsonObject image = contents(reads, uri(served.resolve("image.png")));
        assertThat(image.getString("mimeType")).contains("image/png");
        assertThat(image.get("text")).isEqualTo(JsonValue.nullValue());
        assertThat(Base64.getDecoder().decode(image.getString("blob").orElseThrow())).isEqualTo(PNG);
        assertText(reads, uri(served.resolve("sub/b.txt")), "text/plain", "bee");
        assertText(reads, uri(served.resolve("sub/deep/c.json")), "application/json", "{\"c\":1}");
        assertRefused(reads, uri(served.resolve("big.txt")), -32002, "more than the limit of 1024");
        assertRefused(reads, uri(served.resolve("link.txt")), -32002, "symbolic link");
        assertRefused(reads, uri(served.resolve("dangling.txt")), -32002, "symbolic link");
        assertRefused(reads, uri(served.resolve("linkdir/secret.txt")), -32002, "symbolic link");
        assertRefused(reads, uri(served.resolve("sub")), -32002, "sub");
        assertRefused(reads, uri(served.resolve("missing.txt")), -32002, "no such file");
        assertRefused(reads, uri(outside.resolve("secret.txt")), -32002, "outside the directories");
        assertRefused(reads, "file://" + served + "/../outside/secret.txt", -32002, "outside the directories");
        assertRefused(reads, "https://example.com/a.md", -32002, "file:// and memory://");
        assertText(reads, "memory://notes/n1", "text/plain", "first note");
        assertText(reads, "memory://notes/n%202%2F%C3%A9", "text/plain", "second note");
        assertRefused(reads, "memory://notes/none", -32002, "no entry none");
        assertRefused(reads, "memory://secret/s1", -32002, "not granted memory-read:secret");

        JsonArray prompts = seen.getArray("prompts").orElseThrow();
        assertThat(prompts.items()).extracting(p -> p.asObject().getString("name").orElseThrow())
                .containsExactly("review", "picky", "broken");
        JsonObject review = prompts.get(0).asObject();
        assertThat(review.getString("description")).contains("Review a file");
        assertThat(review.getArray("arguments").orElseThrow().items()).extracting(a -> a.asObject()
                .getString("name")
                .orElseThrow() + "|" + a.asObject().getString("description").orElseThrow() + "|"
                + a.asObject().getBoolean("required").orElseThrow())
                .containsExactly("path|the file to review|true", "focus|what to look at|false");

        JsonArray gets = seen.getArray("gets").orElseThrow();
        JsonArray messages = gets.get(0).asObject().getArray("messages").orElseThrow();
        assertThat(messages.items()).extracting(m -> {
            JsonObject content = m.asObject().getObject("content").orElseThrow();
            return m.asObject().getString("role").orElseThrow() + "|" + content.getString("type").orElseThrow() + "|"
                    + content.getString("text").orElseThrow();
        }).containsExactly("user|text|Review a.md for bugs.", "assistant|text|I will.");
        assertError(gets.get(1).asObject(), -32602, "needs the argument \"path\"");
        assertError(gets.get(2).asObject(), -32602, "no prompt named \"nope\"");
        assertError(gets.get(3).asObject(), -32602, "has no argument \"extra\"");
        assertError(gets.get(4).asObject(), -32602, "n must be a number, was x");
        assertError(gets.get(5).asObject(), -32603, "cannot hold");
    }

    @Test
    void aDirectoryListsAtMostMaxFilesButEveryChosenFileCanBeRead() throws Exception {
        McpHttpServer server = serve(McpServer.builder(StdioServerMain.tools())
                .grant(dev.agentrt.core.security.Capability.fileRead(served))
                .resources(McpFileResources.of(served, "**.md", "**.txt", "**.png").withMaxFiles(3)), false);
        JsonObject seen = typeScriptClient(server);
        // In path order, without links: a.md, big.txt (under the default size limit), image.png, then the cap.
        assertThat(seen.getArray("resources").orElseThrow().items())
                .extracting(r -> r.asObject().getString("name").orElseThrow())
                .containsExactly("a.md", "big.txt", "image.png");
        assertThat(seen.getArray("pages").orElseThrow().items()).extracting(JsonValue::toJson).containsExactly("3");
        JsonObject reads = seen.getObject("reads").orElseThrow();
        assertText(reads, uri(served.resolve("sub/b.txt")), "text/plain", "bee");
        // Not chosen by the globs: refused although it is inside the directory.
        assertRefused(reads, uri(served.resolve("sub/deep/c.json")), -32002, "not one of the files this server serves");
        assertThat(strings(seen.getArray("capabilities").orElseThrow())).contains("resources")
                .doesNotContain("prompts");
    }

    @Test
    void aServerWithoutTheGrantsListsNoneOfItsResourcesAndRefusesToReadThem() throws Exception {
        McpHttpServer server = serve(ResourcesServerMain.builder(served, Grants.none()), false);
        JsonObject seen = typeScriptClient(server);
        assertThat(seen.getArray("resources").orElseThrow().items()).isEmpty();
        JsonObject reads = seen.getObject("reads").orElseThrow();
        assertRefused(reads, uri(served.resolve("a.md")), -32002,
                "not granted file-read:" + served.resolve("a.md"));
        assertRefused(reads, "memory://notes/n1", -32002, "not granted memory-read:notes");
    }

    @Test
    void aServerWithOnlyToolsDeclaresNeitherResourcesNorPromptsAndAnswersThemAsUnknownMethods() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        JsonObject seen = typeScriptClient(java, "-cp", System.getProperty("java.class.path"),
                StdioServerMain.class.getName());
        assertThat(strings(seen.getArray("capabilities").orElseThrow())).contains("tools")
                .doesNotContain("prompts", "resources");
        assertError(seen.getObject("listError").orElseThrow(), -32601, "");
        assertError(seen.getObject("prompts").orElseThrow(), -32601, "");
        assertRefused(seen.getObject("reads").orElseThrow(), uri(served.resolve("a.md")), -32601, "");
    }

    @Test
    void aCursorTheServerDidNotMakeAndParamsOfTheWrongTypeAreInvalidParams() throws Exception {
        McpHttpServer server = serve(ResourcesServerMain.builder(served), true);
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(rawError(http, server, "resources/list", "{\"cursor\":\"bm9wZQ\"}"))
                    .contains("-32602")
                    .contains("was not made by this server");
            assertThat(rawError(http, server, "resources/list", "{\"cursor\":5}"))
                    .contains("-32602")
                    .contains("\\\"cursor\\\" must be a string");
            assertThat(rawError(http, server, "resources/read", "{}"))
                    .contains("-32602")
                    .contains("needs \\\"uri\\\"");
            assertThat(rawError(http, server, "resources/read", "{\"uri\":\"file://%zz\"}"))
                    .contains("-32602")
                    .contains("is not a URI");
            assertThat(rawError(http, server, "resources/read", "{\"uri\":\"memory://notes\"}"))
                    .contains("-32602")
                    .contains("memory://<namespace>/<id>");
            assertThat(rawError(http, server, "prompts/get", "{\"name\":\"picky\",\"arguments\":{\"n\":5}}"))
                    .contains("-32602")
                    .contains("must be a string");
            // The server still serves after each refusal.
            assertThat(rawError(http, server, "prompts/get", "{\"name\":\"picky\",\"arguments\":{\"n\":\"5\"}}"))
                    .contains("\"text\":\"n=5\"");
        }
    }

    @Test
    void aPromptTheClientCancelsOverStdioIsInterruptedAndNotAnswered() throws Exception {
        var entered = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var never = new CountDownLatch(1);
        Pipe input = Pipe.open();
        Pipe output = Pipe.open();
        OutputStream serverOut = Channels.newOutputStream(output.sink());
        CompletableFuture<Void> serving = McpServer.builder(List.of())
                .name("piped-prompts")
                .prompt("slow", null, List.of(), args -> {
                    entered.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        Thread.currentThread().interrupt();
                    }
                    return List.of(Message.user("too late"));
                })
                .build()
                .serve(Channels.newInputStream(input.source()), serverOut)
                .toFuture();
        try (StdioPeer peer = StdioPeer.streams(Channels.newOutputStream(input.sink()),
                Channels.newInputStream(output.source()))) {
            peer.initialize("2025-06-18");
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"slow\"}}");
            entered.await();
            peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).as("the renderer was interrupted").isTrue();
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/list\"}");
            JsonObject listed = peer.nextObject();
            assertThat(listed.getLong("id")).as(listed.toJson()).contains(2L);
            peer.closeInput();
            // Nothing is running, so serving ends at once and nothing more is written: no answer to request 1.
            serving.get(60, TimeUnit.SECONDS);
            serverOut.close();
            assertThat(peer.nextLine()).isNull();
        } finally {
            serverOut.close();
        }
    }

    @Test
    void aBuilderRefusesWhatItCannotServe() {
        var builder = McpServer.builder(StdioServerMain.tools());
        builder.prompt("p", null, List.of(), args -> List.of(Message.user("p")));
        assertThatThrownBy(() -> builder.prompt("p", null, List.of(), args -> List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("registered already");
        assertThatThrownBy(() -> builder.prompt("q", null, List.of(McpServer.PromptArgument.required("a", null),
                McpServer.PromptArgument.optional("a", null)), args -> List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two arguments named a");
        assertThatThrownBy(() -> builder.resourcePageSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> McpFileResources.of(served, "[unclosed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid glob");
        assertThatThrownBy(() -> McpServer.builder(StdioServerMain.tools())
                .resources(temp.resolve("no-such-directory"))
                .build())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no-such-directory");
    }

    private McpHttpServer serve(McpServer.Builder builder, boolean stateless) {
        McpHttpServer server = builder.build().serveHttp(McpHttpOptions.defaults().stateless(stateless));
        servers.add(server);
        return server;
    }

    private JsonObject typeScriptClient(McpHttpServer server) throws Exception {
        return typeScriptClient(server.url().toString());
    }

    private JsonObject typeScriptClient(String... target) throws Exception {
        Path stderr = temp.resolve("stderr-" + System.nanoTime() + ".txt");
        var command = new ArrayList<>(List.of(TestServers.node(), TestServers.npmScript("sdk-resources-client.mjs"),
                plan()));
        command.addAll(List.of(target));
        Process client = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        assertThat(exit).as(() -> "the TypeScript client failed: " + readQuietly(stderr)).isZero();
        return JsonValue.parse(out.trim()).asObject();
    }

    private static String rawError(HttpClient http, McpHttpServer server, String method, String params)
            throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url().toString()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static List<String> strings(JsonArray array) {
        return array.items().stream().map(v -> ((JsonValue.JsonString) v).value()).toList();
    }

    private static JsonObject contents(JsonObject reads, String uri) {
        JsonValue read = reads.get(uri);
        assertThat(read).as("the read of %s in %s", uri, reads.toJson()).isInstanceOf(JsonArray.class);
        JsonArray contents = (JsonArray) read;
        assertThat(contents.items()).hasSize(1);
        JsonObject c = contents.get(0).asObject();
        assertThat(c.getString("uri")).contains(uri);
        return c;
    }

    private static void assertText(JsonObject reads, String uri, String mimeType, String text) {
        JsonObject c = contents(reads, uri);
        assertThat(c.getString("mimeType")).contains(mimeType);
        assertThat(c.getString("text")).contains(text);
    }

    private static void assertRefused(JsonObject reads, String uri, int code, String messagePart) {
        JsonValue read = reads.get(uri);
        assertThat(read).as("the read of %s in %s", uri, reads.toJson()).isInstanceOf(JsonObject.class);
        assertError(read.asObject(), code, messagePart);
    }

    private static void assertError(JsonObject error, int code, String messagePart) {
        assertThat(error.getLong("error")).as(error.toJson()).contains((long) code);
        assertThat(error.getString("message").orElseThrow()).as(error.toJson()).contains(messagePart);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
