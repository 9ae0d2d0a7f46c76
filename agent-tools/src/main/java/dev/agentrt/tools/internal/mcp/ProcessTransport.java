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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * one does not give: a server that ignores SIGTERM is killed, its child processes too; a line that is
 * not JSON-RPC ends the session with an error naming the line instead of leaving requests to time out;
 * the process starts at most once (the SDK client re-runs {@code connect} after a failed
 * initialisation, which would start a second server); and {@link #failure()} lets callers fail
 * in-flight requests as soon as the server dies.
 *
 * <p>Three daemon platform threads per process, named {@code agentrt-mcp-<server>-stdin/stdout/stderr},
 * do the blocking pipe I/O; they end when the process ends. Nothing here blocks a Reactor thread:
 * {@link #sendMessage} only enqueues, and {@link #closeGracefully} waits on {@link Process#onExit()}.
 */
public final class ProcessTransport implements McpClientTransport {
    private static final Logger log = LoggerFactory.getLogger(ProcessTransport.class);
    private static final int MAX_LINE_CHARS = 16 * 1024 * 1024;
    private static final int STDERR_LINES_KEPT = 20;
    private static final Duration TERM_GRACE = Duration.ofSeconds(2);

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
    private volatile @Nullable Process process;
    private volatile @Nullable Thread writer;
    private volatile @Nullable String failureMessage;

    public ProcessTransport(String server, List<String> command, Map<String, String> env,
            @Nullable Path workingDirectory, McpJsonMapper json) {
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
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = readLine(reader)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(json, line);
                } catch (IOException | RuntimeException e) {
                    fail("MCP server '" + server + "' sent a line that is not JSON-RPC: " + clip(line, 200));
                    return;
                }
                handler.apply(Mono.just(message))
                        .subscribe(null,
                                e -> log.debug("MCP server '{}': handling a message failed", server, e));
            }
        } catch (IOException e) {
            if (!closing.get()) {
                log.debug("MCP server '{}': reading stdout failed", server, e);
            }
        }
    }

    private static @Nullable String readLine(BufferedReader reader) throws IOException {
        var sb = new StringBuilder();
        int c;
        while ((c = reader.read()) != -1) {
            if (c == '\n') {
                return sb.toString();
            }
            if (c != '\r') {
                if (sb.length() >= MAX_LINE_CHARS) {
                    throw new IOException("a message is longer than " + MAX_LINE_CHARS + " characters");
                }
                sb.append((char) c);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private void readErrors(Process p) {
        try (var reader = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.debug("MCP server '{}' stderr: {}", server, line);
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(clip(line, 500));
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

    /** The last lines the server wrote to stderr, for error messages. */
    public String stderrSummary() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; its last stderr lines: " + String.join(" | ", stderrTail);
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
