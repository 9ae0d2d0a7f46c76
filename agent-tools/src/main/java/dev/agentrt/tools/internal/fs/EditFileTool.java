package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** {@code edit_file}: replace an exact piece of text, which must occur once unless {@code replace_all}. */
final class EditFileTool extends FsTool {
    static final String NAME = "edit_file";

    EditFileTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                Edit a UTF-8 text file below the root directory by exact replacement: `old_text` (copied \
                exactly, whitespace and line breaks included) is replaced by `new_text`. `old_text` must occur \
                exactly once unless replace_all is true. The file is replaced atomically.""", """
                {"type":"object","properties":{
                  "path":{"type":"string","minLength":1,"description":"file path relative to the root"},
                  "old_text":{"type":"string","minLength":1,"description":"the exact text to replace"},
                  "new_text":{"type":"string","description":"the text to put in its place"},
                  "replace_all":{"type":"boolean","description":"replace every occurrence (default false)"}},
                 "required":["path","old_text","new_text"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        var path = fileCapabilityPath(arguments);
        return List.of(Capability.fileRead(path), Capability.fileWrite(path));
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target t = fileTarget(arguments);
        String oldText = arguments.getString("old_text").orElseThrow();
        String newText = arguments.getString("new_text").orElseThrow();
        boolean all = arguments.getBoolean("replace_all").orElse(false);
        if (oldText.isEmpty()) {
            throw FsException.invalid("old_text must not be empty");
        }
        if (oldText.equals(newText)) {
            throw FsException.invalid("old_text and new_text are the same; nothing would change");
        }
        ReentrantLock lock = FileLocks.lock(t.absolute());
        try (Dir dir = jail.open(t.parent(), false)) {
            byte[] bytes;
            try (SeekableByteChannel in = dir.openRead(t.fileName())) {
                bytes = Text.readAll(in, limits.maxFileBytes(), t.display());
            }
            String text = Text.decodeOrNull(bytes);
            if (text == null) {
                throw FsException.invalid(t.display() + " is a binary file (it holds NUL bytes or is not UTF-8 text); "
                        + "edit_file only edits text");
            }
            int count = 0;
            for (int i = text.indexOf(oldText); i >= 0; i = text.indexOf(oldText, i + oldText.length())) {
                count++;
            }
            if (count == 0) {
                throw FsException.invalid("old_text was not found in " + t.display() + "; read the file again and "
                        + "copy the text exactly, whitespace and line breaks included");
            }
            if (count > 1 && !all) {
                throw FsException.invalid("old_text occurs " + count + " times in " + t.display() + "; include more "
                        + "of the surrounding text to make it unique, or set replace_all to true");
            }
            String edited = all ? text.replace(oldText, newText) : replaceOnce(text, oldText, newText);
            byte[] out = edited.getBytes(StandardCharsets.UTF_8);
            if (out.length > limits.maxFileBytes()) {
                throw FsException.invalid("the edited file would be " + out.length + " bytes, more than the limit of "
                        + limits.maxFileBytes() + " bytes; nothing was changed");
            }
            Confined.writeAtomically(dir, t.fileName(), out);
            return ToolResult.text("Edited " + t.display() + ": replaced " + count + " occurrence"
                    + (count == 1 ? "" : "s") + ".");
        } finally {
            lock.unlock();
        }
    }

    private static String replaceOnce(String text, String oldText, String newText) {
        int i = text.indexOf(oldText);
        return text.substring(0, i) + newText + text.substring(i + oldText.length());
    }
}
