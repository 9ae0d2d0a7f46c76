package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.internal.fs.Entries;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** {@code list_directory}: the entries of one directory with their type and size. */
final class ListDirectoryTool extends FsTool {
    static final String NAME = "list_directory";

    ListDirectoryTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                List the entries of a directory below the root directory, one per line: type (file, dir, \
                link, other), size in bytes for files, and name (directories end with '/'). Symbolic links are \
                shown but never followed.""", """
                {"type":"object","properties":{
                  "path":{"type":"string","description":"directory path relative to the root (default: the root)"}},
                 "additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileRead(capabilityPath(arguments, "path")));
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target t = target(arguments, "path");
        try (Dir dir = jail.open(t.names(), false)) {
            List<String> names = dir.names();
            if (names.isEmpty()) {
                return ToolResult.text("[" + t.display() + " is empty]");
            }
            Output out = new Output(limits.maxOutputChars());
            int shown = 0;
            for (String name : names) {
                if (shown == limits.maxEntries()) {
                    break;
                }
                BasicFileAttributes a = dir.attributes(name);
                if (a == null) {
                    continue;
                }
                String kind = Entries.kind(a);
                String size = a.isRegularFile() ? Long.toString(a.size()) : "-";
                out.line(String.format("%-5s %10s  %s", kind, size, a.isDirectory() ? name + "/" : name));
                shown++;
            }
            int more = names.size() - shown;
            return ToolResult.text(out.finish(more > 0
                    ? "[... " + more + " more entries not shown: the limit is " + limits.maxEntries() + "]"
                    : ""));
        }
    }
}
