package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** {@code write_file}: create or replace a text file atomically, creating missing parent directories. */
final class WriteFileTool extends FsTool {
    static final String NAME = "write_file";

    WriteFileTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                Create or overwrite a UTF-8 text file below the root directory with `content`. Missing parent \
                directories are created. The file is replaced atomically: readers see the old or the new \
                content, never a mix. Paths are relative to the root and use '/'.""", """
                {"type":"object","properties":{
                  "path":{"type":"string","minLength":1,"description":"file path relative to the root"},
                  "content":{"type":"string","description":"the complete new content of the file"}},
                 "required":["path","content"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileWrite(fileCapabilityPath(arguments)));
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target t = fileTarget(arguments);
        byte[] content = arguments.getString("content").orElseThrow().getBytes(StandardCharsets.UTF_8);
        if (content.length > limits.maxFileBytes()) {
            throw FsException.invalid("the content is " + content.length + " bytes, more than the limit of "
                    + limits.maxFileBytes() + " bytes; nothing was written");
        }
        boolean replaced;
        ReentrantLock lock = FileLocks.lock(t.absolute());
        try (Dir dir = jail.open(t.parent(), true)) {
            replaced = Confined.writeAtomically(dir, t.fileName(), content);
        } finally {
            lock.unlock();
        }
        return ToolResult.text((replaced ? "Replaced " : "Created ") + t.display() + " (" + content.length
                + " bytes).");
    }
}
