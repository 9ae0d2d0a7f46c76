package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.util.List;

/** {@code read_file}: UTF-8 text, a range of lines, optionally numbered. */
final class ReadFileTool extends FsTool {
    static final String NAME = "read_file";
    static final int DEFAULT_LINES = 2000;
    static final int MAX_LINE_CHARS = 2000;

    ReadFileTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                Read a UTF-8 text file below the root directory. Returns up to `limit` lines starting at line \
                `offset` (1-based), each prefixed with its line number unless line_numbers is false. Binary \
                files are refused. Paths are relative to the root and use '/'.""", """
                {"type":"object","properties":{
                  "path":{"type":"string","minLength":1,"description":"file path relative to the root"},
                  "offset":{"type":"integer","minimum":1,"description":"first line to return, 1-based (default 1)"},
                  "limit":{"type":"integer","minimum":1,"description":"most lines to return (default 2000)"},
                  "line_numbers":{"type":"boolean","description":"prefix each line with its number (default true)"}},
                 "required":["path"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileRead(fileCapabilityPath(arguments)));
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target t = fileTarget(arguments);
        long offset = arguments.getLong("offset").orElse(1L);
        long limit = arguments.getLong("limit").orElse((long) DEFAULT_LINES);
        boolean numbers = arguments.getBoolean("line_numbers").orElse(true);
        try (Dir dir = jail.open(t.parent(), false);
                SeekableByteChannel in = dir.openRead(t.fileName())) {
            Text.Sniffed sniffed = Text.sniff(in);
            if (Text.looksBinary(sniffed.sample(), sniffed.whole())) {
                throw FsException.invalid(t.display() + " is a binary file (it holds NUL bytes or is not UTF-8 text); "
                        + "read_file only reads text");
            }
            var reader = new BufferedReader(new InputStreamReader(sniffed.content(), Text.strictDecoder()));
            Output out = new Output(limits.maxOutputChars());
            long n = 0;
            long shown = 0;
            String line;
            try {
                while ((line = reader.readLine()) != null) {
                    n++;
                    if (n < offset) {
                        continue;
                    }
                    if (shown == limit || out.full()) {
                        String why = shown == limit
                                ? "line limit of " + limit
                                : "output limit of "
                                        + limits.maxOutputChars() + " characters";
                        return ToolResult.text(out.finish("[... " + why + " reached; more lines follow: continue "
                                + "with offset=" + n + "]"));
                    }
                    String text = Text.clipLine(line, MAX_LINE_CHARS);
                    out.line(numbers ? String.format("%6d\t%s", n, text) : text);
                    shown++;
                }
            } catch (CharacterCodingException e) {
                throw FsException.invalid(t.display() + " is not valid UTF-8 text after line " + n
                        + " (a binary file?); read_file only reads text");
            }
            if (n == 0) {
                return ToolResult.text("[" + t.display() + " is empty]");
            }
            if (offset > n) {
                throw FsException.invalid("offset " + offset + " is past the end of " + t.display() + ", which has "
                        + n + " lines");
            }
            return ToolResult.text(out.finish(""));
        }
    }
}
