package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.internal.fs.Entries;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileSystem;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code grep}: the lines of text files that match a Java regular expression. Guarded against
 * patterns that backtrack catastrophically: each line is matched on at most {@link #MAX_MATCH_CHARS}
 * characters, and the whole search stops at the time limit (see {@link Deadline}).
 */
final class GrepTool extends FsTool {
    static final String NAME = "grep";
    static final int MAX_PATTERN_CHARS = 1000;
    static final int MAX_MATCH_CHARS = 10_000;
    static final int MAX_SHOWN_CHARS = 500;

    GrepTool(Jail jail, FsLimits limits) {
        super(jail, limits, NAME, """
                Search text files below the root directory for lines matching a Java regular expression. \
                `path` is a file or a directory (default: the root); `glob` keeps only files whose name (or, \
                with a '/', whose path below `path`) matches. Returns "path:line: text" per matching line. \
                Binary and very large files are skipped; symbolic links are not followed.""", """
                {"type":"object","properties":{
                  "pattern":{"type":"string","minLength":1,"maxLength":1000,"description":"Java regular expression"},
                  "path":{"type":"string","description":"file or directory relative to the root (default: the root)"},
                  "glob":{"type":"string","minLength":1,"description":"only files matching this glob, e.g. *.java"},
                  "case_insensitive":{"type":"boolean","description":"ignore letter case (default false)"}},
                 "required":["pattern"],"additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(Capability.fileRead(capabilityPath(arguments, "path")));
    }

    private final class Search {
        final Pattern pattern;
        final Deadline deadline;
        final Output out = new Output(limits.maxOutputChars());
        int matches;
        int files;
        int skipped;
        boolean full;

        Search(Pattern pattern, Deadline deadline) {
            this.pattern = pattern;
            this.deadline = deadline;
        }

        /** Searches one file; returns {@code false} once the match limit is reached. */
        boolean file(Dir dir, String name, String shown, BasicFileAttributes a) throws IOException {
            if (!a.isRegularFile() || a.isSymbolicLink()) {
                return true;
            }
            if (a.size() > limits.maxFileBytes()) {
                skipped++;
                return true;
            }
            files++;
            SeekableByteChannel in;
            try {
                in = dir.openRead(name);
            } catch (ConfinementException e) {
                skipped++;
                return true;
            }
            try (in) {
                Text.Sniffed sniffed = Text.sniff(in);
                if (Text.looksBinary(sniffed.sample(), sniffed.whole())) {
                    skipped++;
                    return true;
                }
                var reader = new BufferedReader(new InputStreamReader(sniffed.content(), Text.strictDecoder()));
                String line;
                long n = 0;
                while ((line = reader.readLine()) != null) {
                    n++;
                    deadline.check();
                    CharSequence input = line.length() > MAX_MATCH_CHARS ? line.substring(0, MAX_MATCH_CHARS) : line;
                    Matcher m = pattern.matcher(deadline.guard(input));
                    boolean found;
                    try {
                        found = m.find();
                    } catch (StackOverflowError e) {
                        // java.util.regex recurses once per repetition of a group with alternatives.
                        throw FsException.invalid("the pattern recursed too deeply on line " + n + " of " + shown
                                + " (" + input.length() + " characters); a repeated group with alternatives, "
                                + "such as (a|b)+, recurses once per repetition: use a character class ([ab]+) "
                                + "or a possessive quantifier ((?:a|b)++), or narrow `path` or `glob`");
                    }
                    if (found) {
                        if (matches == limits.maxGrepMatches()) {
                            full = true;
                            return false;
                        }
                        matches++;
                        out.line(shown + ":" + n + ": " + Text.clipLine(line, MAX_SHOWN_CHARS));
                    }
                }
            } catch (CharacterCodingException e) {
                skipped++;
            }
            return true;
        }
    }

    @Override
    ToolResult run(JsonObject arguments) throws IOException {
        Jail.Target t = target(arguments, "path");
        String regex = arguments.getString("pattern").orElseThrow();
        if (regex.length() > MAX_PATTERN_CHARS) {
            throw FsException.invalid("the pattern is longer than " + MAX_PATTERN_CHARS + " characters");
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex, arguments.getBoolean("case_insensitive").orElse(false)
                    ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE
                    : 0);
        } catch (PatternSyntaxException e) {
            throw FsException.invalid("not a valid Java regular expression: " + e.getDescription() + " near index "
                    + e.getIndex() + " of " + Jail.quote(regex));
        }
        FileSystem fs = jail.root().getFileSystem();
        String glob = arguments.getString("glob").orElse(null);
        @Nullable
        PathMatcher filter = glob == null ? null : GlobTool.matcher(fs, glob);
        boolean byPath = glob != null && glob.contains("/");
        Deadline deadline = new Deadline(limits.searchTimeout(), limits.clock());
        Search search = new Search(pattern, deadline);
        Walker walker = new Walker(deadline);
        boolean expired = false;
        try {
            if (t.names().isEmpty()) {
                try (Dir root = jail.openRoot()) {
                    walkFiles(root, t, walker, search, filter, byPath, fs);
                }
            } else {
                try (Dir parent = jail.open(t.parent(), false)) {
                    BasicFileAttributes a = parent.attributes(t.fileName());
                    if (a != null && a.isDirectory() && !a.isSymbolicLink()) {
                        try (Dir dir = parent.openDir(t.fileName(), false)) {
                            walkFiles(dir, t, walker, search, filter, byPath, fs);
                        }
                    } else {
                        Entries.requireFile(a, t.display());
                        search.file(parent, t.fileName(), t.display(), a);
                    }
                }
            }
        } catch (Deadline.Expired e) {
            expired = true;
        }
        var footer = new StringBuilder();
        if (expired) {
            footer.append("[... search stopped: time limit of ")
                    .append(limits.searchTimeout().toMillis())
                    .append(" ms reached; results are incomplete. Narrow `path` or `glob`, or simplify the pattern "
                            + "(nested quantifiers can backtrack catastrophically)]\n");
        }
        if (search.full) {
            footer.append("[... more matches not shown: the limit is ").append(limits.maxGrepMatches()).append("]\n");
        }
        if (walker.cut()) {
            footer.append("[... search stopped: the tree is too large or too deep; narrow `path`]\n");
        }
        if (search.skipped > 0) {
            footer.append("[skipped ").append(search.skipped).append(" binary, non-UTF-8 or over-size files]\n");
        }
        if (search.matches == 0) {
            return ToolResult.text(("No lines match " + Jail.quote(regex) + " in " + search.files + " files below "
                    + t.display() + ".\n" + footer).strip());
        }
        return ToolResult.text(search.out.finish(footer.toString().strip()));
    }

    private static void walkFiles(Dir dir, Jail.Target base, Walker walker, Search search,
            @Nullable PathMatcher filter, boolean byPath, FileSystem fs) throws IOException {
        walker.walk(dir, (parent, name, relative, a) -> {
            if (!a.isRegularFile()) {
                return true;
            }
            if (filter != null && !filter.matches(fs.getPath(byPath ? relative : name))) {
                return true;
            }
            return search.file(parent, name, GlobTool.join(base, relative), a);
        });
    }
}
