package dev.agentrt.benchmarks;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local OpenAI-compatible streaming server of {@link HttpLoad}: {@code node/openai-stream-server.mjs}
 * run as a child process (so it shares no JVM, heap or threads with the clients it serves), and
 * its control endpoints. The child stops when {@link #close()} is called, and by itself when the
 * JVM that started it dies (its stdin closes).
 *
 * <p>Control calls use {@link HttpURLConnection} on the calling thread (blocking): unlike a JDK
 * {@code HttpClient}, it starts no worker threads that would be counted as the clients'.
 */
final class LoadServer implements AutoCloseable {
    static final String SCRIPT = "openai-stream-server.mjs";

    private final Process process;
    private final int port;
    private final String node;

    private LoadServer(Process process, int port, String node) {
        this.process = process;
        this.port = port;
        this.node = node;
    }

    /** The server's settings, passed to the script as {@code --name value}. */
    record Settings(long latencyMs, int chunks, double resetShare, double rateLimitShare, long retryAfterSeconds,
            long seed, String answer) {
        Settings {
            if (latencyMs < 0 || chunks < 2 || resetShare < 0 || rateLimitShare < 0 || resetShare + rateLimitShare > 1
                    || retryAfterSeconds < 0) {
                throw new IllegalArgumentException("bad server settings: " + this);
            }
        }

        boolean faults() {
            return resetShare > 0 || rateLimitShare > 0;
        }

        List<String> arguments() {
            return List.of("--latency-ms", Long.toString(latencyMs), "--chunks", Integer.toString(chunks),
                    "--reset-share", Double.toString(resetShare), "--rate-limit-share",
                    Double.toString(rateLimitShare), "--retry-after-s", Long.toString(retryAfterSeconds), "--seed",
                    Long.toString(seed), "--answer", answer);
        }
    }

    /** Where the script is: {@code -Dagentrt.node.dir}, else {@code benchmarks/node} or {@code node} under the working directory. */
    static Path script() {
        String dir = System.getProperty("agentrt.node.dir");
        List<Path> candidates = dir != null
                ? List.of(Path.of(dir, SCRIPT))
                : List.of(Path.of("benchmarks", "node", SCRIPT), Path.of("node", SCRIPT));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find " + SCRIPT + " in " + candidates
                + ": run from the repository root or set -Dagentrt.node.dir");
    }

    /**
     * Starts the server and waits (at most 30 s) for the line that names its port. A {@code nice}
     * other than 0 starts it through {@code nice -n <nice>}: a negative one (root only; otherwise
     * {@code nice} warns and runs it unchanged) lets the server keep its schedule on a machine whose
     * cores the clients and other work keep busy.
     */
    static LoadServer start(Settings settings, int nice) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        if (nice != 0) {
            command.addAll(List.of("nice", "-n", Integer.toString(nice)));
        }
        command.addAll(List.of("node", script().toString()));
        command.addAll(settings.arguments());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var first = new CompletableFuture<@Nullable String>();
        Thread.ofPlatform().daemon().name("load-server-stdout").start(() -> {
            try {
                first.complete(lines.readLine());
                // Keep draining, so the child never blocks on a full pipe.
                while (lines.readLine() != null) {
                    // nothing else is expected on stdout
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        });
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            line = null;
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IllegalStateException("node did not report its port within 30 s (is node 20+ on the PATH?)");
        }
        JsonObject hello = JsonValue.parse(line).asObject();
        int port = hello.getLong("port").orElseThrow().intValue();
        return new LoadServer(p, port, hello.getString("node").orElse("node"));
    }

    int port() {
        return port;
    }

    String nodeVersion() {
        return node;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The control endpoints of the server at {@code port}, for a worker JVM that did not start it. */
    static final class Control {
        private final String base;

        Control(int port) {
            this.base = "http://127.0.0.1:" + port + "/_control/";
        }

        void reset() {
            call("POST", "reset");
        }

        JsonObject stats() {
            return call("GET", "stats");
        }

        /**
         * From now on first-turn replies wait until {@code n} have arrived, start together and stop
         * after their first piece (none is faulted) until {@link #release()}.
         */
        void hold(int n) {
            call("POST", "hold?n=" + n);
        }

        long release() {
            return call("POST", "release").getLong("released").orElse(-1L);
        }

        private JsonObject call(String method, String path) {
            try {
                var c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
                c.setRequestMethod(method);
                c.setConnectTimeout(10_000);
                c.setReadTimeout(30_000);
                if (method.equals("POST")) {
                    c.setDoOutput(true);
                    try (OutputStream out = c.getOutputStream()) {
                        out.write(new byte[0]);
                    }
                }
                int status = c.getResponseCode();
                try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (status != 200) {
                        throw new IllegalStateException(String.format(Locale.ROOT, "control %s %s: HTTP %d %s",
                                method, path, status, body));
                    }
                    return JsonValue.parse(body).asObject();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("control " + method + " " + path, e);
            }
        }
    }
}
