package dev.agentrt.tools.mcp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP/1.1 server on 127.0.0.1 over plain sockets, for tests that need what a framework hides: a
 * chunked response cut off without its last chunk (the connection closed mid-stream, as when the
 * server process dies), or a listening socket that goes away. Keep-alive connections, one virtual
 * thread each; requests are recorded.
 */
final class RawHttpServer implements AutoCloseable {
    /** Answers one request. */
    @FunctionalInterface
    interface Handler {
        void handle(Request request, Response response) throws IOException, InterruptedException;
    }

    /** A request; header names in lower case. */
    record Request(String method, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket socket;
    private final Handler handler;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    RawHttpServer(Handler handler) throws IOException {
        this.handler = handler;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-http-accept").start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/mcp";
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The first request {@code which} matches, once it came; fails after {@code guard} (a hang guard). */
    Request await(java.util.function.Predicate<Request> which, java.time.Duration guard) throws InterruptedException {
        long end = System.nanoTime() + guard.toNanos();
        synchronized (requests) {
            while (true) {
                for (Request r : requests) {
                    if (which.test(r)) {
                        return r;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such request within " + guard + "; got " + requests);
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(requests, left);
            }
        }
    }

    /** Stops listening: later connections are refused. Open connections stay. */
    void stopListening() throws IOException {
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : connections) {
            s.close();
        }
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.add(s);
                Thread.ofVirtual().name("raw-http-connection").start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                Request request = read(in);
                if (request == null) {
                    return;
                }
                synchronized (requests) {
                    requests.add(request);
                    requests.notifyAll();
                }
                var response = new Response(out);
                handler.handle(request, response);
                if (response.broken) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Request read(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        var headers = new TreeMap<String, String>();
        String header;
        while ((header = line(in)) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        return new Request(requestLine.substring(0, requestLine.indexOf(' ')), Map.copyOf(headers), body);
    }

    private static String line(InputStream in) throws IOException {
        var bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                bytes.write(c);
            }
        }
        return c < 0 && bytes.size() == 0 ? null : bytes.toString(StandardCharsets.UTF_8);
    }

    /** The answer being written. */
    static final class Response {
        private final OutputStream out;
        private boolean broken;

        Response(OutputStream out) {
            this.out = out;
        }

        /** A whole answer with a Content-Length; {@code headers} as name, value pairs. */
        void send(int status, String contentType, String body, String... headers) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            head(status, contentType, bytes.length, headers);
            out.write(bytes);
            out.flush();
        }

        void json(int status, String body, String... headers) throws IOException {
            send(status, "application/json", body, headers);
        }

        /** The head of an answer whose body of {@code length} bytes the caller writes ({@link #write}). */
        void head(int status, String contentType, long length, String... headers) throws IOException {
            var head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            head.append("Content-Length: ").append(length).append("\r\n");
            appendHeaders(head, headers);
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Raw bytes of a body whose length the head gave. */
        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Starts a chunked server-sent event stream. */
        void startEvents(String... headers) throws IOException {
            var head = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n");
            appendHeaders(head, headers);
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** One chunk of the stream, flushed. */
        void chunk(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Ends the stream properly. */
        void end() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Closes the connection after this answer. */
        void breakOff() {
            broken = true;
        }

        /**
         * Writes {@code piece} again and again, as one endless stream (chunks, or raw body bytes), until the
         * client stops reading and writing fails (returns the failure), or {@code maxBytes} are written (returns
         * null: the client read them all).
         */
        IOException writeUntilRefused(String piece, long maxBytes, boolean chunked) {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            try {
                for (long written = 0; written < maxBytes; written += bytes.length) {
                    if (chunked) {
                        chunk(piece);
                    } else {
                        write(bytes);
                    }
                }
                return null;
            } catch (IOException e) {
                broken = true;
                return e;
            }
        }

        private static void appendHeaders(StringBuilder head, String... headers) {
            for (int i = 0; i + 1 < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
        }
    }
}
