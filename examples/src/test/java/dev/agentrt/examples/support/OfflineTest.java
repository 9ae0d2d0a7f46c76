package dev.agentrt.examples.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

class OfflineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void closeDeletesTheDirectoriesAndStopsTheServer() throws Exception {
        Path files;
        Path model;
        URI page;
        try (Offline offline = Offline.start(out, Map.of());
                HttpClient client = HttpClient.newHttpClient()) {
            files = offline.directory(Map.of("a.txt", "A", "sub/b.txt", "B"));
            model = offline.tinyChatModel();
            page = offline.serve("/page", "text/plain", "hello");

            assertThat(Files.readString(files.resolve("sub/b.txt"))).isEqualTo("B");
            assertThat(model.resolve("model.onnx")).isNotEmptyFile();
            assertThat(model.resolve("tokenizer.json")).isNotEmptyFile();
            assertThat(page.getHost()).isEqualTo("127.0.0.1");
            assertThat(client.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("hello");
        }
        assertThat(files).doesNotExist();
        assertThat(model).doesNotExist();
        try (HttpClient client = HttpClient.newHttpClient()) {
            assertThatThrownBy(
                    () -> client.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void withoutAHostedModelTheScriptedOneRunsAndSaysSo() {
        ChatModel scripted = ScriptedChatModel.of(Reply.text("hi"));
        try (Offline offline = Offline.start(out, Map.of())) {
            assertThat(offline.model(() -> scripted)).isSameAs(scripted);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("OFFLINE");
    }

    @Test
    void aHostedModelFromTheEnvironmentNeverBuildsTheScriptedOne() {
        var built = new AtomicInteger();
        try (Offline offline = Offline.start(out, Map.of("ANTHROPIC_API_KEY", "sk-test", "AGENT_MODEL", "claude-x"))) {
            ChatModel model = offline.model(() -> {
                built.incrementAndGet();
                return ScriptedChatModel.of(Reply.text("hi"));
            });
            assertThat(model.toString()).contains("claude-x");
        }
        assertThat(built).hasValue(0);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Using ")
                .doesNotContain("OFFLINE")
                .doesNotContain("sk-test");
    }

    @Test
    void theBundledPluginAndManifestAreThere() throws IOException {
        try (Offline offline = Offline.start(out, Map.of())) {
            Path plugins = offline.plugins();
            assertThat(Files.readAllBytes(plugins.resolve("http_status.wasm"))).startsWith(0, 'a', 's', 'm');
            assertThat(Files.readString(plugins.resolve("http_status.json"))).contains("\"name\": \"http_status\"");
        }
    }

    @Test
    void withReportTheEventsOfItsPrintersAreWrittenAsARunReportOnClose(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("run.html");
        try (Offline offline = Offline.start(out, Map.of(), "", "--report", report.toString())) {
            ChatModel model = offline.model(() -> ScriptedChatModel.builder()
                    .replies(Reply.text("Nothing is left."))
                    .repeat()
                    .build());
            Agent.builder().model(model).listener(offline.listener()).build().task("What is left?").executeBlocking();
            Agent.builder().model(model).build().task("And now?").stream().doOnNext(offline.events()).blockLast();
            assertThat(report).doesNotExist();
        }
        String html = Files.readString(report);
        assertThat(html).contains("<span id=\"model\">scripted (offline)</span>")
                .contains("2 runs")
                .contains("What is left?")
                .contains("And now?")
                .contains("Nothing is left.");
        assertThat(html.split("data-kind=\"model-call\"", -1)).hasSize(3); // each task's one call, once
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Nothing is left.")
                .contains("Run report written to " + report);
    }

    @Test
    void withoutReportNothingIsWritten(@TempDir Path dir) {
        try (Offline offline = Offline.start(out, Map.of())) {
            offline.events().accept(new AgentEvent.Started("t", "hi", Principal.ANONYMOUS));
        }
        assertThat(dir).isEmptyDirectory();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("Run report");
    }

    @Test
    void theOnlyArgumentIsReportWithAFile() {
        assertThatThrownBy(() -> Offline.start(out, Map.of(), "--verbose")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown argument '--verbose'")
                .hasMessageContaining("--report <file>");
        assertThatThrownBy(() -> Offline.start(out, Map.of(), "--report")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--report needs a file");
        assertThatThrownBy(() -> Offline.start(out, Map.of(), "--report=")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown argument");
    }
}
