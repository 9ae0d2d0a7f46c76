package dev.agentrt.sandbox.internal.python;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.RunGuard;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * How Python code calls the task's tools. The CPython module imports only WASI and its Trino host
 * functions, so there is no host function to add; instead the guest writes its request (JSON
 * {@code {"name", "args"}}) to a file of its in-memory file system and reads standard input, which is
 * this stream: a read with a request waiting makes the call ({@link HostTools#call}, blocking the
 * guest's thread until the tool answers) and returns the answer as one line of JSON. A read with no
 * request is the end of input, as standard input was before. Bound to one run at a time.
 */
final class ToolChannel extends InputStream {
    private final Path request;
    private volatile HostTools tools = HostTools.none();
    private volatile @Nullable RunGuard guard;
    private byte[] answer = new byte[0];
    private int next;

    ToolChannel(Path request) {
        this.request = request;
    }

    /** Routes the guest's calls of this run to {@code tools}, under {@code guard}. */
    void bind(HostTools tools, RunGuard guard) {
        this.tools = tools;
        this.guard = guard;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (next >= answer.length && !call()) {
            return -1;
        }
        int n = Math.min(len, answer.length - next);
        System.arraycopy(answer, next, b, off, n);
        next += n;
        return n;
    }

    /** Makes the call the guest wrote, if any; false when there is none. */
    private boolean call() throws IOException {
        RunGuard g = guard;
        if (g == null) {
            return false;
        }
        String text;
        try {
            text = Files.readString(request, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return false;
        }
        Files.delete(request);
        String reply;
        try {
            JsonObject call = JsonValue.parse(text).asObject();
            reply = tools.call(call.getString("name").orElse(""), call.get("args"), g);
        } catch (JsonParseException | IllegalStateException e) {
            reply = JsonObject.builder()
                    .put("error", "unreadable tool call: " + e.getMessage())
                    .put("kind", "INVALID_ARGUMENTS")
                    .build()
                    .toJson();
        }
        answer = (reply + "\n").getBytes(StandardCharsets.UTF_8);
        next = 0;
        return true;
    }
}
