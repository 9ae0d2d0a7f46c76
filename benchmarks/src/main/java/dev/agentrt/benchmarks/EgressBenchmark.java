package dev.agentrt.benchmarks;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.web.HttpTool;
import dev.agentrt.tools.web.WebBrowser;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small page fetched from a server on 127.0.0.1 through {@code WebBrowser} ({@code web_browse},
 * page to Markdown included) and {@code HttpTool} ({@code http_request}), each a whole tool call
 * through the registry, against a baseline of the same exchange on a raw socket in the same run: what
 * the egress layer (grant check, address check, pinned connection, strict HTTP/1.1 reading, the hop
 * to the blocking scheduler) adds to one request. Every request is a new connection, as the layer
 * makes one per request; the client closes first, as it does.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EgressBenchmark -f 1 -wi 5 -i 10 -w 2s -r 2s
 * </pre>
 *
 * <p>It uses only API that exists before and after the egress layer moved into agent-core (a grant
 * naming 127.0.0.1 and the port), so the same class measures both versions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EgressBenchmark {
    static final byte[] PAGE = """
            <!doctype html><html><head><title>Release notes</title></head><body>
            <h1>Release 0.1</h1><p>The first release of the <b>runtime</b>; read the <a href="/guide">guide</a>
            and the <a href="/changelog">changelog</a>.</p>
            <ul><li>Agent loop with budgets</li><li>Capability-checked tools</li><li>WASM sandbox</li>
            <li>Vector memory</li></ul><p>%s</p></body></html>"""
            .formatted("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(12))
            .getBytes(StandardCharsets.UTF_8);
    static final byte[] RESPONSE = response(PAGE);

    private @Nullable ServerSocket server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private int port;
    private @Nullable ToolRegistry browser;
    private @Nullable ToolRegistry http;
    private @Nullable ToolExecution execution;
    private @Nullable ToolCall browse;
    private @Nullable ToolCall get;
    private byte @Nullable [] rawRequest;

    @Setup
    public void setUp() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[]{127, 0, 0, 1}), 0), 4096);
        server = s;
        port = s.getLocalPort();
        Thread.ofPlatform().daemon().name("egress-bench-accept").start(() -> accept(s));
        browser = ToolRegistry.of(WebBrowser.create());
        http = ToolRegistry.of(HttpTool.create());
        execution = ToolExecution.of("bench", Principal.ANONYMOUS, Grants.of(Capability.net("127.0.0.1", port)));
        String url = "http://127.0.0.1:" + port + "/notes";
        browse = new ToolCall("c1", "web_browse", "{\"url\":\"" + url + "\"}");
        get = new ToolCall("c2", "http_request", "{\"method\":\"GET\",\"url\":\"" + url + "\"}");
        rawRequest = ("GET /notes HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: bench\r\n"
                + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        check(webBrowser(), "Title: Release notes");
        check(httpTool(), "\"status\":200");
        if (rawSocket() != PAGE.length) {
            throw new IllegalStateException("the raw fetch did not read the page");
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
        handlers.shutdownNow();
    }

    /** The floor: connect, send a GET, read the head and the body by its length, close. */
    @Benchmark
    public int rawSocket() throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[]{127, 0, 0, 1}), port), 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(rawRequest);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int total = 0;
            int headEnd = -1;
            int length = -1;
            byte[] all = new byte[RESPONSE.length + 8192];
            while (headEnd < 0 || total < headEnd + length) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                System.arraycopy(buf, 0, all, total, n);
                total += n;
                if (headEnd < 0) {
                    headEnd = indexOfBlankLine(all, total);
                    if (headEnd >= 0) {
                        length = contentLength(all, headEnd);
                    }
                }
            }
            return total - headEnd;
        }
    }

    @Benchmark
    public @Nullable ToolResult webBrowser() {
        return browser.execute(browse, execution).block();
    }

    @Benchmark
    public @Nullable ToolResult httpTool() {
        return http.execute(get, execution).block();
    }

    private static void check(@Nullable ToolResult r, String expected) {
        if (r == null || r.isError() || !r.content().contains(expected)) {
            throw new IllegalStateException("the tool call did not read the page: " + r);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket c = s.accept();
                handlers.execute(() -> serve(c));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Reads the request head, answers, then waits for the client to close first (its TIME_WAIT, reusable on loopback). */
    private static void serve(Socket c) {
        try (c) {
            c.setTcpNoDelay(true);
            InputStream in = c.getInputStream();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1
                        : (b == '\r' ? 1 : 0);
            }
            OutputStream out = c.getOutputStream();
            out.write(RESPONSE);
            out.flush();
            while (in.read() >= 0) {
                continue;
            }
        } catch (IOException clientGone) {
            // The client is done with the connection.
        }
    }

    private static byte[] response(byte[] page) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + page.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + page.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(page, 0, all, head.length, page.length);
        return all;
    }

    private static int indexOfBlankLine(byte[] b, int n) {
        for (int i = 3; i < n; i++) {
            if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int contentLength(byte[] b, int headEnd) {
        String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        int i = head.indexOf("content-length:");
        int end = head.indexOf('\r', i);
        return Integer.parseInt(head.substring(i + 15, end).strip());
    }
}
