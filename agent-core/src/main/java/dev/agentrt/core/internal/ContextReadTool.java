package dev.agentrt.core.internal;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.PathPolicy;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The read access a task gets to its directory context when the agent has no memory: read one
 * text file below the root, optionally a line range. Every call needs {@code FileRead} of the
 * resolved path, so {@code ..}, absolute paths and symlinks out of the root are denied by the
 * registry's capability check; the file is then reached through the confinement layer ({@code
 * dev.agentrt.core.internal.fs}) one element at a time from the root, never following a link, so a
 * link (inside or out, there before or swapped in after the check) is refused as
 * {@code PERMISSION_DENIED}.
 */
public final class ContextReadTool implements Tool {
    public static final String NAME = "read_context_file";
    static final int MAX_BYTES = 256 * 1024;

    private static final JsonObject SCHEMA = JsonValue.parse("""
            {"type":"object","properties":{
              "path":{"type":"string","minLength":1,"description":"file path relative to the context directory"},
              "startLine":{"type":"integer","minimum":1,"description":"first line to return (1-based)"},
              "endLine":{"type":"integer","minimum":1,"description":"last line to return (inclusive)"}},
             "required":["path"],"additionalProperties":false}""").asObject();

    private final Path root;
    private final ToolSpec spec;

    public ContextReadTool(Path root) {
        this.root = PathPolicy.lexical(root);
        this.spec = new ToolSpec(NAME,
                "Read a text file of the task's context directory, optionally only a range of lines.",
                SCHEMA);
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileRead(resolve(arguments)));
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        return Mono.fromCallable(() -> read(arguments));
    }

    private Path resolve(JsonObject arguments) {
        String p = arguments.getString("path").orElseThrow();
        try {
            return root.resolve(p.replace('\\', '/')).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getReason());
        }
    }

    private ToolResult read(JsonObject arguments) throws IOException {
        Path target = resolve(arguments);
        if (!target.startsWith(root) || target.equals(root)) {
            throw new ToolException("the path leaves the context directory");
        }
        var names = new ArrayList<String>();
        for (Path name : root.relativize(target)) {
            names.add(name.toString());
        }
        byte[] bytes;
        boolean cut;
        // Through the confinement layer, like read_file: every element is opened from the root
        // without following a link, so what is read is what the grant was checked for.
        try (Dir dir = Confined.open(PathPolicy.realPath(root), names.subList(0, names.size() - 1), false);
                InputStream in = Channels.newInputStream(dir.openRead(names.getLast()))) {
            bytes = in.readNBytes(MAX_BYTES + 1);
            cut = bytes.length > MAX_BYTES;
        } catch (ConfinementException e) {
            return ToolResult.error(e.denied() ? ToolErrorKind.PERMISSION_DENIED : ToolErrorKind.INVALID_ARGUMENTS,
                    e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_BYTES)))
                    .toString();
        } catch (CharacterCodingException e) {
            if (!cut) {
                throw new ToolException("not a UTF-8 text file (binary?): " + root.relativize(target));
            }
            text = new String(bytes, 0, MAX_BYTES, StandardCharsets.UTF_8);
        }
        if (text.indexOf('\0') >= 0) {
            throw new ToolException("not a text file (binary): " + root.relativize(target));
        }
        long start = arguments.getLong("startLine").orElse(1L);
        long end = arguments.getLong("endLine").orElse(Long.MAX_VALUE);
        if (end < start) {
            throw new ToolException("endLine (" + end + ") is before startLine (" + start + ")");
        }
        if (start > 1 || end < Long.MAX_VALUE) {
            var sb = new StringBuilder();
            long n = 0;
            for (String line : text.split("\n", -1)) {
                n++;
                if (n >= start && n <= end) {
                    sb.append(line).append('\n');
                }
            }
            text = sb.toString();
        }
        return ToolResult.text(cut ? text + "\n…[truncated: the file is larger than " + MAX_BYTES + " bytes]" : text);
    }
}
