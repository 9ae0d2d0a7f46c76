package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The client end of a raw MCP stdio connection, for tests: writes lines to a server's input and
 * reads its output line by line, with nothing in between that could hide what the server does.
 * Over a subprocess (stderr drained in the background) or over a pair of streams.
 */
final class StdioPeer implements AutoCloseable {
    private final OutputStream toServer;
    private final BufferedReader fromServer;
    private final @Nullable Process process;
    private final LinkedBlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    private final List<String> stderrSeen = new ArrayList<>();

    private StdioPeer(OutputStream toServer, InputStream fromServer, @Nullable Process process) {
        this.toServer = toServer;
        this.fromServer = new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8));
        this.process = process;
    }

    /** A JVM running {@code main} with the test class path and these system properties ({@code -D...}). */
    static StdioPeer java(Class<?> main, String... properties) {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(properties));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        try {
            Process p = new ProcessBuilder(command).start();
            var peer = new StdioPeer(p.getOutputStream(), p.getInputStream(), p);
            Thread.ofVirtual().name("stdio-peer-stderr").start(() -> peer.drainStderr(p));
            return peer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Over streams: {@code toServer} feeds the server's input, {@code fromServer} is its output. */
    static StdioPeer streams(OutputStream toServer, InputStream fromServer) {
        return new StdioPeer(toServer, fromServer, null);
    }

    private void drainStderr(Process p) {
        try (var reader = p.errorReader()) {
            String line;
            while ((line = reader.readLine()) != null) {
                stderr.add(line);
            }
        } catch (IOException e) {
            stderr.add("(stderr failed: " + e + ")");
        }
    }

    Process process() {
        if (process == null) {
            throw new IllegalStateException("not a subprocess");
        }
        return process;
    }

    void send(String line) {
        sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void sendBytes(byte[] bytes) {
        try {
            toServer.write(bytes);
            toServer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's next line, parsed; fails if the output ended. */
    JsonValue next() {
        String line = nextLine();
        if (line == null) {
            throw new AssertionError("the server's output ended; its stderr: " + stderrSoFar());
        }
        return JsonValue.parse(line);
    }

    JsonObject nextObject() {
        return next().asObject();
    }

    /** The server's next line as it was written; null once its output has ended. */
    String nextLine() {
        try {
            return fromServer.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void closeInput() {
        try {
            toServer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a stderr line containing {@code text}. */
    void awaitStderr(String text) throws InterruptedException {
        while (true) {
            String line = stderr.take();
            stderrSeen.add(line);
            if (line.contains(text)) {
                return;
            }
        }
    }

    String stderrSoFar() {
        stderr.drainTo(stderrSeen);
        return String.join("\n", stderrSeen);
    }

    /** initialize with {@code version}, then notifications/initialized; returns the initialize result. */
    JsonObject initialize(String version) {
        send("""
                {"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"%s",\
                "capabilities":{},"clientInfo":{"name":"raw-test","version":"1"}}}""".formatted(version));
        JsonObject response = nextObject();
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        return response;
    }

    @Override
    public void close() {
        if (process != null) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            try {
                toServer.close();
            } catch (IOException e) {
                // already closed by the test
            }
        }
    }
}
