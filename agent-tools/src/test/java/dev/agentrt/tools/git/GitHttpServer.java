package dev.agentrt.tools.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.jspecify.annotations.Nullable;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A smart-HTTP git server on 127.0.0.1 for tests: the real {@code git http-backend} (git's own CGI program) behind
 * the JDK's {@code HttpServer}, serving the repositories under one directory, receive-pack enabled. It can ask for
 * HTTP Basic credentials or answer every request with a redirect, and it records every request it receives, so a
 * test can prove that nothing was sent. {@link #close()} stops the server and waits for its thread; every CGI
 * process has ended before its request is answered.
 */
final class GitHttpServer implements AutoCloseable {
    /** A request as received: method, path and query, and its headers (names lower-case). */
    record Request(String method, String target, Map<String, List<String>> headers) {
        @Nullable
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final Path projectRoot;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "git-http-test"));
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private volatile @Nullable String expectedAuthorization;
    private volatile @Nullable String redirectBase;

    private GitHttpServer(Path projectRoot, @Nullable SSLContext tls) throws IOException {
        this.projectRoot = projectRoot;
        var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            this.server = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Serves the repositories under {@code projectRoot} ({@code GIT_PROJECT_ROOT}). */
    static GitHttpServer start(Path projectRoot) throws IOException {
        return new GitHttpServer(projectRoot, null);
    }

    /** As {@link #start}, speaking https with {@code tls}'s certificate. */
    static GitHttpServer startTls(Path projectRoot, SSLContext tls) throws IOException {
        return new GitHttpServer(projectRoot, tls);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port/name}. */
    String url(String name) {
        return "http://127.0.0.1:" + port() + "/" + name;
    }

    /** From now on, a request without these HTTP Basic credentials is answered 401. */
    GitHttpServer requireBasic(String user, String password) {
        expectedAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** From now on, every request is answered 302 to {@code base} followed by the request's path and query. */
    GitHttpServer redirectTo(String base) {
        redirectBase = base;
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** What still runs: CGI processes alive, and the server's thread unless {@link #close()} ended it. */
    List<String> running() {
        var out = new ArrayList<String>();
        for (Process p : processes) {
            if (p.isAlive()) {
                out.add("git http-backend pid " + p.pid());
            }
        }
        if (!executor.isTerminated()) {
            out.add("the server's thread");
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            var headers = new java.util.TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            String target = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            var request = new Request(ex.getRequestMethod(), target, headers);
            requests.add(request);
            byte[] body = ex.getRequestBody().readAllBytes();
            String redirect = redirectBase;
            if (redirect != null) {
                ex.getResponseHeaders().add("Location", redirect + target);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            String expected = expectedAuthorization;
            if (expected != null && !expected.equals(request.header("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            cgi(ex, request, body);
        }
    }

    /** Runs {@code git http-backend} for the request, as a CGI program, and relays its answer. */
    private void cgi(HttpExchange ex, Request request, byte[] body) throws IOException {
        var pb = new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        String path = System.getenv("PATH");
        env.clear();
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        env.put("HOME", projectRoot.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REMOTE_USER", "pusher"); // enables receive-pack
        env.put("REMOTE_ADDR", "127.0.0.1");
        env.put("REQUEST_METHOD", request.method());
        env.put("PATH_INFO", ex.getRequestURI().getPath());
        env.put("QUERY_STRING", ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
        String type = request.header("Content-Type");
        if (type != null) {
            env.put("CONTENT_TYPE", type);
        }
        env.put("CONTENT_LENGTH", Integer.toString(body.length));
        String encoding = request.header("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        String protocol = request.header("Git-Protocol");
        if (protocol != null) {
            env.put("GIT_PROTOCOL", protocol);
        }
        Process p = pb.start();
        processes.add(p);
        byte[] out;
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(body);
            }
            out = p.getInputStream().readAllBytes();
            p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        int skip = 4;
        if (split < 0) {
            split = indexOf(out, "\n\n".getBytes(StandardCharsets.ISO_8859_1));
            skip = 2;
        }
        if (split < 0) {
            ex.sendResponseHeaders(502, -1);
            return;
        }
        int status = 200;
        for (String line : new String(out, 0, split, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ")[0]);
            } else {
                ex.getResponseHeaders().add(name, value);
            }
        }
        var rest = new ByteArrayOutputStream();
        rest.write(out, split + skip, out.length - split - skip);
        byte[] answer = rest.toByteArray();
        ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            ex.getResponseBody().write(answer);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer : for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
