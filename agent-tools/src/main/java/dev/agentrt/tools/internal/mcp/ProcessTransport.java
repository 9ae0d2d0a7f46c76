package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpTransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The client side of the MCP stdio transport, over a subprocess this class owns from start to
 * death. It replaces the SDK's {@code StdioClientTransport} because an agent runtime needs what that
 * one does not give: a server that ignores SIGTERM is killed, its child processes too; the process
 * starts at most once (the SDK client re-runs {@code connect} after a failed initialisation, which
 * would start a second server); and {@link #failure()} lets callers fail in-flight requests as soon
 * as the server dies, or closes its stdout while it keeps running.
 *
 * <p>Reading never stops at a bad line, as the reference clients behave: a line that is not JSON-RPC
 * (a banner a server prints, say) is skipped, logged and kept for error messages; a line over 16 MiB is
 * skipped without being held. When such a line was meant as the answer to one of our requests (it
 * carries that request's id), the request fails at once with an error saying why, instead of waiting
 * for its timeout; when it was a request from the server, the server gets a JSON-RPC error.
 *
 * <p>Three daemon platform threads per process, named {@code agentrt-mcp-<server>-stdin/stdout/stderr},
 * do the blocking pipe I/O; they end when the process ends. Nothing here blocks a Reactor thread:
 * {@link #sendMessage} only enqueues, and {@link #closeGracefully} waits on {@link Process#onExit()}.
 */
public final class ProcessTransport implements McpClientTransport {
    private static final Logger log = LoggerFactory.getLogger(ProcessTransport.class);
    private static final int STDERR_LINES_KEPT = 20;
    private static final int NOISE_LINES_KEPT = 3;
    private static final int STDERR_MAX_LINE_BYTES = 64 * 1024;
    private static final Duration TERM_GRACE = Duration.ofSeconds(2);
    /**
     * How long a server whose stdout ended may take to exit before it counts as one that closed its
     * stdout and kept running. Generous: a crashing server's exit is usually seen at once, but on a
     * starved machine the exit can be reaped seconds after the end of its output, and the exit code is
     * the better message.
     */
    private static final Duration EXIT_AFTER_STDOUT_GRACE = Duration.ofSeconds(10);

    private final String server;
    private final List<String> command;
    private final Map<String, String> env;
    private final @Nullable Path workingDirectory;
    private final McpJsonMapper json;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> outbound = new ConcurrentLinkedQueue<>();
    private final Sinks.One<McpTransportException> failure = Sinks.one();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final ArrayDeque<String> noise = new ArrayDeque<>();
    private volatile @Nullable Process process;
    private volatile @Nullable Thread writer;
    private volatile @Nullable String failureMessage;
    private final int maxMessageBytes;

    public ProcessTransport(String server, List<String> command, Map<String, String> env,
            @Nullable Path workingDirectory, McpJsonMapper json) {
        this(server, command, env, workingDirectory, json, LineReader.DEFAULT_MAX_BYTES);
    }

    /** With {@code maxMessageBytes}, the longest line (message) taken from the server; a longer one is skipped. */
    public ProcessTransport(String server, List<String> command, Map<String, String> env,
            @Nullable Path workingDirectory, McpJsonMapper json, int maxMessageBytes) {
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive, was " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.server = server;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.workingDirectory = workingDirectory;
        this.json = json;
    }

    /** Emits once if the server dies or breaks the protocol before {@link #closeGracefully}; never otherwise. */
    public Mono<McpTransportException> failure() {
        return failure.asMono();
    }

    /** The running process, if it was started. */
    public @Nullable Process process() {
        return process;
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        return Mono.<Void>fromRunnable(() -> start(handler))
                .subscribeOn(dev.agentrt.core.AgentSchedulers.blocking());
    }

    private void start(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        if (closing.get()) {
            throw new McpTransportException("the connection to MCP server '" + server + "' is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new McpTransportException("MCP server '" + server + "' was already started once; "
                    + "connect again to start a new one");
        }
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            String message = "could not start MCP server '" + server + "' (" + String.join(" ", command) + "): "
                    + e.getMessage();
            fail(message);
            throw new McpTransportException(message, e);
        }
        process = p;
        if (closing.get()) {
            // close() ran while the process was starting: it saw no process, so kill this one here.
            kill(p);
            throw new McpTransportException("the connection to MCP server '" + server + "' is closed");
        }
        thread("stdout", () -> readMessages(p, handler)).start();
        thread("stderr", () -> readErrors(p)).start();
        Thread w = thread("stdin", () -> writeMessages(p));
        writer = w;
        w.start();
        p.onExit().thenAccept(this::exited);
        log.debug("MCP server '{}' started: pid {}", server, p.pid());
    }

    private Thread thread(String stream, Runnable body) {
        return Thread.ofPlatform().daemon().name("agentrt-mcp-" + server + "-" + stream).unstarted(body);
    }

    private void readMessages(Process p, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        var reader = new LineReader(p.getInputStream(), maxMessageBytes, true);
        try {
            LineReader.Line line;
            while ((line = reader.next()) != null) {
                switch (line) {
                    case LineReader.Text t -> {
                        if (!t.text().isBlank()) {
                            message(t.text(), handler);
                        }
                    }
                    case LineReader.NotUtf8 n -> notJsonRpc("(" + n.bytes() + " bytes that are not UTF-8)",
                            IdScanner.Scan.NOTHING, handler);
                    case LineReader.TooLong t -> tooLong(t, handler);
                }
            }
        } catch (IOException e) {
            if (!closing.get()) {
                log.debug("MCP server '{}': reading stdout failed", server, e);
            }
        } finally {
            closeQuietly(p.getInputStream());
        }
        stdoutEnded(p);
    }

    private void message(String line, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, line);
        } catch (IOException | RuntimeException e) {
            notJsonRpc(line, IdScanner.scan(line), handler);
            return;
        }
        deliver(message, handler);
    }

    private void deliver(JSONRPCMessage message, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        handler.apply(Mono.just(message))
                .subscribe(null, e -> log.debug("MCP server '{}': handling a message failed", server, e));
    }

    /** A line we cannot use: skipped; if it was the answer to one of our requests, that request fails now. */
    private void notJsonRpc(String line, IdScanner.Scan scan,
            Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        String clipped = clip(line, 200);
        log.warn("MCP server '{}' wrote a line that is not JSON-RPC; skipped: {}", server, clipped);
        synchronized (noise) {
            if (noise.size() == NOISE_LINES_KEPT) {
                noise.removeFirst();
            }
            noise.addLast(clipped);
        }
        if (scan.id() != null && !scan.hasMethod()) {
            failRequest(scan.id(), "MCP server '" + server + "' answered with a message that is not valid JSON-RPC: "
                    + clipped, handler);
        }
    }

    private void tooLong(LineReader.TooLong line, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        IdScanner.Scan scan = line.scan();
        String what = "a message of " + line.bytes() + " bytes, over the limit of " + maxMessageBytes
                + " bytes";
        log.warn("MCP server '{}' wrote {}; skipped", server, what);
        Object id = scan.id();
        if (id == null) {
            return;
        }
        if (!scan.hasMethod()) {
            failRequest(id, "MCP server '" + server + "' answered with " + what + "; it was discarded", handler);
        } else {
            // A request from the server: tell it, so it does not wait for an answer that will never come.
            sendMessage(McpSchema.JSONRPCResponse.error(id, new McpSchema.JSONRPCResponse.JSONRPCError(
                    McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid request: " + what + "; it was discarded")))
                    .subscribe(null, e -> log.debug("MCP server '{}': could not refuse a request", server, e));
        }
    }

    /** Fails our pending request {@code id} (if it is one) by handing the session an error answer for it. */
    private void failRequest(Object id, String message, Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        var error = new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.INTERNAL_ERROR, message,
                new TransportFailure(message));
        deliver(McpSchema.JSONRPCResponse.error(id, error), handler);
    }

    /**
     * Stdout ended. If the process exits, {@link #exited} reports it with its exit code; if it is
     * still running a moment later, it closed its stdout and nothing more can come from it.
     */
    private void stdoutEnded(Process p) {
        if (closing.get()) {
            return;
        }
        p.onExit()
                .copy()
                .completeOnTimeout(p, EXIT_AFTER_STDOUT_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                .thenAccept(x -> {
                    if (p.isAlive()) {
                        fail("MCP server '" + server + "' closed its stdout but is still running" + stderrSummary());
                    }
                });
    }

    private void readErrors(Process p) {
        var reader = new LineReader(p.getErrorStream(), STDERR_MAX_LINE_BYTES, false);
        try {
            LineReader.Line line;
            while ((line = reader.next()) != null) {
                String text = switch (line) {
                    case LineReader.Text t -> t.text();
                    case LineReader.NotUtf8 n -> "(" + n.bytes() + " bytes that are not UTF-8)";
                    case LineReader.TooLong t -> "(a line of " + t.bytes() + " bytes)";
                };
                log.debug("MCP server '{}' stderr: {}", server, text);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(clip(text, 500));
                }
            }
        } catch (IOException e) {
            log.trace("MCP server '{}': stderr closed", server, e);
        }
    }

    private void writeMessages(Process p) {
        OutputStream out = p.getOutputStream();
        try {
            while (!closing.get() && p.isAlive()) {
                String line = outbound.poll();
                if (line == null) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(200));
                    continue;
                }
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                if (outbound.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (!closing.get()) {
                log.debug("MCP server '{}': writing stdin failed", server, e);
            }
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                log.trace("MCP server '{}': closing stdin failed", server, e);
            }
        }
    }

    private void exited(Process p) {
        if (!closing.get()) {
            fail("MCP server '" + server + "' exited with code " + p.exitValue() + stderrSummary());
        }
    }

    private void fail(String message) {
        if (closing.compareAndSet(false, true)) {
            failureMessage = message;
            log.warn("{}", message);
            failure.tryEmitValue(new McpTransportException(message));
            Process p = process;
            if (p != null) {
                kill(p);
            }
        }
    }

    /**
     * For error messages: the last lines the server wrote to stderr, and the last lines on stdout that
     * were not JSON-RPC.
     */
    public String stderrSummary() {
        String summary;
        synchronized (stderrTail) {
            summary = stderrTail.isEmpty() ? "" : "; its last stderr lines: " + String.join(" | ", stderrTail);
        }
        synchronized (noise) {
            return noise.isEmpty()
                    ? summary
                    : summary + "; it wrote lines to stdout that are not JSON-RPC: " + String.join(" | ", noise);
        }
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
        return Mono.defer(() -> {
            if (closing.get()) {
                String failed = failureMessage;
                return Mono.error(new McpTransportException(failed != null
                        ? failed
                        : "the connection to MCP server '" + server + "' is closed" + stderrSummary()));
            }
            String line;
            try {
                line = json.writeValueAsString(message);
            } catch (IOException e) {
                return Mono.error(new McpTransportException("could not encode an MCP message", e));
            }
            // Stdio messages are one per line: JSON text never needs a raw line break.
            outbound.add(line.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"));
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
            return Mono.empty();
        });
    }

    /**
     * Ends the session: closes the server's stdin, asks it to stop (SIGTERM to it and its
     * descendants), and kills what is still alive two seconds later.
     * Completes once the process has exited.
     */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.defer(() -> {
            closing.set(true);
            failure.tryEmitEmpty();
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
            Process p = process;
            if (p == null) {
                return Mono.<Void>empty();
            }
            List<ProcessHandle> tree = terminate(p);
            return Mono.fromFuture(p.onExit())
                    .timeout(TERM_GRACE)
                    .onErrorResume(e -> {
                        kill(p);
                        return Mono.fromFuture(p.onExit()).timeout(TERM_GRACE);
                    })
                    .doFinally(s -> tree.forEach(ProcessHandle::destroyForcibly))
                    .then();
        }).subscribeOn(dev.agentrt.core.AgentSchedulers.blocking());
    }

    /** SIGTERM to the process and everything it started; returns them all, to force-kill later. */
    private static List<ProcessHandle> terminate(Process p) {
        var tree = new ArrayList<ProcessHandle>();
        p.descendants().forEach(tree::add);
        closeQuietly(p.getOutputStream());
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        return tree;
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        closeQuietly(p.getInputStream());
        closeQuietly(p.getErrorStream());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.trace("closing a process stream failed", e);
        }
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return json.convertValue(data, typeRef);
    }

    @Override
    public String toString() {
        Process p = process;
        return "ProcessTransport[" + server + (p == null ? "" : ", pid " + p.pid()) + "]";
    }
}
