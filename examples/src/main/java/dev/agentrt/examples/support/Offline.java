package dev.agentrt.examples.support;

import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.report.RunReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The set-up and clean-up every example shares, so that an example's own code is only its recipe: the chat model
 * (a hosted one when the environment names one, otherwise the example's scripted model), temporary directories with
 * sample files, pages served on 127.0.0.1, and the files bundled with the examples (the tiny local chat model, the
 * WASM plugin). {@link #close()} stops and deletes everything it started or created.
 *
 * <pre>{@code
 * try (Offline offline = Offline.start(System.out, System.getenv())) {
 *     ChatModel model = offline.model(() -> ScriptedChatModel.of(Reply.text("Nothing is left.")));
 *     Path project = offline.directory(Map.of("PLAN.md", "- release 0.1\n"));
 *     URI docs = offline.serve("/checklist", "text/html", "<h1>Release checklist</h1>");
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Hosted models.</b> {@code ANTHROPIC_API_KEY} picks Claude; {@code OPENAI_API_KEY}, or {@code OPENAI_BASE_URL}
 * with {@code AGENT_MODEL} (Ollama, vLLM, llama.cpp...), an OpenAI-compatible server; {@code AGENT_MODEL} names the
 * model. Without them the example runs offline on the scripted model it passes to {@link #model}.
 *
 * <p><b>Bundled files</b> (under {@code src/main/resources/dev/agentrt/examples/}): {@code tiny-chat-model/} is the
 * scripted bigram model that agent-inference's tests generate ({@code TinyChatModels.writeBigram}, 110 KB; it
 * answers "Hello there!", counts, and calls a {@code get_time} tool then says "It is noon."), and {@code plugins/}
 * holds agent-sandbox's example plugin {@code http_status} (built from
 * {@code agent-sandbox/src/test/wat/http_status.wat}) with its manifest. Regenerate them from those sources when their
 * format changes.
 *
 * <p><b>Run report.</b> Started with the arguments {@code --report <file>} (as {@code main} passes them), the events
 * that go through {@link #events()} or {@link #listener()} are also recorded, and {@link #close()} writes them to
 * {@code file} as a {@link RunReport}: one HTML page that opens offline in a browser.
 *
 * <p>Not thread-safe: one example's {@code main} (or test) uses an instance from one thread. The printers and the
 * recorder it hands out take events from a task's threads.
 */
public final class Offline implements AutoCloseable {
    private static final String BUNDLED = "/dev/agentrt/examples/";
    private static final List<String> TINY_CHAT_MODEL_FILES = List.of("model.onnx", "config.json", "tokenizer.json",
            "tokenizer_config.json", "generation_config.json");

    private static final String REPORT = "--report";

    private final PrintStream out;
    private final Map<String, String> env;
    private final Path reportFile;
    private final Deque<AutoCloseable> cleanUp = new ArrayDeque<>();
    private HttpServer server;
    private String modelName;
    private RunReport.Recorder recorder;

    private Offline(PrintStream out, Map<String, String> env, Path reportFile) {
        this.out = out;
        this.env = env;
        this.reportFile = reportFile;
    }

    /**
     * A set-up printing to {@code out} and reading the hosted model's settings from {@code env} (the process's
     * environment in {@code main}, a map in tests), with the command line's options: {@code --report <file>} (or
     * {@code --report=<file>}) writes a run report on {@link #close()}. Blank arguments are ignored.
     *
     * @throws IllegalArgumentException for any other argument, or {@code --report} without a file
     */
    public static Offline start(PrintStream out, Map<String, String> env, String... args) {
        return new Offline(Objects.requireNonNull(out, "out"), Map.copyOf(env), reportFile(args));
    }

    private static Path reportFile(String... args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.isBlank()) {
                continue;
            }
            String value;
            if (arg.equals(REPORT)) {
                if (i + 1 >= args.length || args[i + 1].isBlank()) {
                    throw new IllegalArgumentException(REPORT + " needs a file: " + REPORT + " run.html");
                }
                value = args[++i];
            } else if (arg.startsWith(REPORT + "=") && arg.length() > REPORT.length() + 1) {
                value = arg.substring(REPORT.length() + 1);
            } else {
                throw new IllegalArgumentException(
                        "unknown argument '" + arg + "'; the examples take " + REPORT + " <file> (an HTML run report)");
            }
            file = Path.of(value).toAbsolutePath();
        }
        return file;
    }

    /**
     * The example's event printer ({@link Console#events}) for {@code task.stream().doOnNext(...)}; with
     * {@code --report} it also records each event for the report.
     */
    public Consumer<AgentEvent> events() {
        Consumer<AgentEvent> console = Console.events(out);
        RunReport.Recorder report = recorder();
        return report == null ? console : console.andThen(report);
    }

    /**
     * The example's event printer as an agent listener ({@link Console#listener}); with {@code --report} it also
     * records each event for the report.
     */
    public AgentEvent.Listener listener() {
        AgentEvent.Listener console = Console.listener(out);
        RunReport.Recorder report = recorder();
        if (report == null) {
            return console;
        }
        return event -> {
            console.onEvent(event);
            report.onEvent(event);
        };
    }

    /** The recorder of this set-up's run report, made on first use (after {@link #model}: it names the model). */
    private RunReport.Recorder recorder() {
        if (reportFile == null) {
            return null;
        }
        if (recorder == null) {
            RunReport.Builder report = RunReport.builder().title("agentrt example run");
            if (modelName != null) {
                report.model(modelName);
            }
            recorder = report.recorder();
            RunReport.Recorder written = recorder;
            cleanUp.addLast(() -> { // last to run: after everything else has stopped
                written.report().writeTo(reportFile);
                out.println("Run report written to " + reportFile);
            });
        }
        return recorder;
    }

    /**
     * The hosted model the environment configures, or else {@code scripted.get()}; prints which one runs. The
     * supplier is called only when the example runs offline.
     */
    public ChatModel model(Supplier<? extends ChatModel> scripted) {
        ChatModel hosted = hosted();
        if (hosted != null) {
            out.println("Using " + hosted + ".");
            out.println();
            return hosted;
        }
        out.println("No hosted model configured: running OFFLINE on a scripted model (replies are canned).");
        out.println("Set ANTHROPIC_API_KEY, OPENAI_API_KEY, or OPENAI_BASE_URL with AGENT_MODEL to use a real one.");
        out.println();
        modelName = "scripted (offline)";
        return scripted.get();
    }

    private ChatModel hosted() {
        String name = blankToNull(env.get("AGENT_MODEL"));
        if (blankToNull(env.get("ANTHROPIC_API_KEY")) != null) {
            modelName = name != null ? name : "claude-sonnet-4-5";
            return AnthropicChatModel.builder()
                    .model(modelName)
                    .environment(env::get)
                    .build();
        }
        String baseUrl = blankToNull(env.get("OPENAI_BASE_URL"));
        if (blankToNull(env.get("OPENAI_API_KEY")) == null && baseUrl == null) {
            return null;
        }
        if (name == null && baseUrl != null) {
            out.println("OPENAI_BASE_URL is set: set AGENT_MODEL to a model that server serves.");
            return null;
        }
        modelName = name != null ? name : "gpt-4.1-mini";
        return OpenAiChatModel.builder()
                .model(modelName)
                .environment(env::get)
                .build();
    }

    /** A new empty temporary directory, deleted with everything in it on {@link #close()}. */
    public Path directory() {
        try {
            Path dir = Files.createTempDirectory("agentrt-example");
            cleanUp.push(() -> delete(dir));
            return dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new temporary directory holding {@code files} (relative path to UTF-8 text), deleted on {@link #close()}. */
    public Path directory(Map<String, String> files) {
        Path dir = directory();
        files.forEach((name, text) -> {
            try {
                Path file = dir.resolve(name);
                Files.createDirectories(file.getParent());
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return dir;
    }

    /**
     * Serves {@code body} at {@code path} on 127.0.0.1 (one server for all the pages of this set-up, on a free port,
     * stopped on {@link #close()}) and returns the page's URL.
     */
    public URI serve(String path, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpServer s = server();
        s.createContext(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(bytes);
            }
        });
        return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + path);
    }

    private HttpServer server() {
        if (server == null) {
            try {
                HttpServer started = HttpServer
                        .create(new InetSocketAddress(InetAddress.getByAddress(new byte[]{127, 0, 0, 1}), 0), 0);
                started.start();
                cleanUp.push(() -> started.stop(0));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /**
     * A directory holding the bundled tiny chat model (ONNX graph, tokenizer, chat template), copied out of the
     * class path into a temporary directory; for {@code LocalChatModel.builder().modelPath(...)}.
     */
    public Path tinyChatModel() {
        return bundled("tiny-chat-model", TINY_CHAT_MODEL_FILES);
    }

    /** A directory holding the bundled plugin {@code http_status.wasm} and its manifest {@code http_status.json}. */
    public Path plugins() {
        return bundled("plugins", List.of("http_status.wasm", "http_status.json"));
    }

    /** Copies {@code files} of the bundled directory {@code name} out of the class path into a temporary directory. */
    private Path bundled(String name, List<String> files) {
        Path dir = directory();
        for (String file : files) {
            String resource = BUNDLED + name + "/" + file;
            try (InputStream in = Offline.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no " + resource + " on the class path");
                }
                Files.copy(in, dir.resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** Closes, stops and deletes everything, last set up first; fails with the first failure, the others added. */
    @Override
    public void close() {
        RuntimeException failure = null;
        while (!cleanUp.isEmpty()) {
            try {
                cleanUp.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
