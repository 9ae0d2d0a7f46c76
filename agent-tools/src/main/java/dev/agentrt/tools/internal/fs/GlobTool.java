package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/** {@code glob}: the paths below a directory that match a glob pattern, never following links. */
final class GlobTool extends FsTool {
    static final String NAME = "glob";

    GlobTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                Find files and directories below the root directory whose path matches a glob pattern, such \
                as "**/*.java" or "src/*.{md,txt}". The pattern is matched against paths relative to `path` \
                (default: the root); '*' stays within one directory, '**' crosses directories. Results are \
                relative to the root, in name order; directories end with '/'. Symbolic links are not \
                followed.""",
                """
                        {"type":"object","properties":{
                          "pattern":{"type":"string","minLength":1,"description":"glob pattern, e.g. **/*.java"},
                          "path":{"type":"string","description":"directory to search, relative to the root (default: the root)"}},
                         "required":["pattern"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileRead(capabilityPath(arguments, "path")));
    }

    /** A glob matcher for paths relative to the search directory; a leading "**&#47;" also matches at the top. */
    static PathMatcher matcher(FileSystem fs, String pattern) {
        if (pattern.indexOf('\0') >= 0) {
            throw FsException.invalid("the pattern contains a NUL character");
        }
        if (pattern.startsWith("/") || pattern.equals("..") || pattern.startsWith("../") || pattern.contains("/../")
                || pattern.endsWith("/..")) {
            throw FsException.invalid("the pattern " + Jail.quote(pattern) + " is matched against paths below the "
                    + "search directory; it must be relative and must not contain '..' (set `path` instead)");
        }
        try {
            PathMatcher full = fs.getPathMatcher("glob:" + pattern);
            if (pattern.startsWith("**/")) {
                PathMatcher top = fs.getPathMatcher("glob:" + pattern.substring(3));
                return p -> full.matches(p) || top.matches(p);
            }
            return full;
        } catch (PatternSyntaxException e) {
            throw FsException.invalid("not a valid glob pattern: " + e.getDescription() + " in "
                    + Jail.quote(pattern));
        }
    }

    static String join(Jail.Target base, String relative) {
        return base.names().isEmpty() ? relative : base.display() + "/" + relative;
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target base = target(arguments, "path");
        String pattern = arguments.getString("pattern").orElseThrow();
        FileSystem fs = jail.root().getFileSystem();
        PathMatcher matcher = matcher(fs, pattern);
        Output out = new Output(limits.maxOutputChars());
        int[] found = {0};
        boolean[] more = {false};
        Walker walker = new Walker(new Deadline(limits.searchTimeout(), limits.clock()));
        boolean expired = false;
        try (Dir dir = jail.open(base.names(), false)) {
            walker.walk(dir, (parent, name, relative, a) -> {
                if (!matcher.matches(fs.getPath(relative))) {
                    return true;
                }
                if (found[0] == limits.maxEntries()) {
                    more[0] = true;
                    return false;
                }
                found[0]++;
                out.line(join(base, relative) + (a.isDirectory() ? "/" : ""));
                return true;
            });
        } catch (Deadline.Expired e) {
            expired = true;
        }
        String footer = expired
                ? "[... search stopped: time limit of " + limits.searchTimeout().toMillis() + " ms reached]"
                : more[0]
                        ? "[... more matches not shown: the limit is " + limits.maxEntries() + "]"
                        : walker.cut() ? "[... search stopped: the tree is too large or too deep; narrow `path`]" : "";
        if (found[0] == 0) {
            return ToolResult.text(("No paths match " + Jail.quote(pattern) + " below " + base.display() + ".\n"
                    + footer).strip());
        }
        return ToolResult.text(out.finish(footer));
    }
}
